export * from './consumed-event';
export * from './error-policy';
export * from './event-publisher';
export * from './kafka-batch.server';
export * from './messaging.module';
export * from './messaging.options';

export * from './delivery-state';
export * from './delivery-tracker';
export * from './sns-receiver';
export * from './provider-events';
export * from './provider-events.module';

export * from './ledgered-sender';
export * from './send-outcome';
export * from './aws-client';
export * from './delivery';

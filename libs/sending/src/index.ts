export * from './ledgered-sender';
export * from './send-outcome';
export * from './aws-client';
export * from './sender-rate-limit';
export * from './delivery';

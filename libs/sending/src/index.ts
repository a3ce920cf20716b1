export * from './ledgered-sender';
export * from './send-outcome';

export * from './delivery-state';
export * from './delivery-tracker';
export * from './sns-receiver';
export * from './provider-events';

export * from './email';
export * from './phone';
export * from './sms-segments';
export * from './unsubscribe-token';

export * from './email';
export * from './phone';
export * from './sms-segments';

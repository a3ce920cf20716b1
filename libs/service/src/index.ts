export * from './bootstrap';
export * from './config';
export * from './health';
export * from './logging';
export * from './errors';
export * from './openapi';
export * from './messaging';

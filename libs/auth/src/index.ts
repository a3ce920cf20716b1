export * from './auth-error';
export * from './auth.guard';
export * from './caller';
export * from './decorators';
export * from './divisions';
export * from './permissions';
export * from './token-verifier';
export * from './service-token';

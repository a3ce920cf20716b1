export * from './sns-message';
export * from './sns-verifier';
export * from './sns-signer';
export * from './sns-publisher';

export * from './database';
export * from './persistence.module';
export * from './paging';

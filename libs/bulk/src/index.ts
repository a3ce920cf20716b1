// Bulk loading of uploaded files: rows checked in batches on a thread pool, their results taken
// in file order, and written as `COPY … FROM STDIN` lines. Import nothing heavy here: the pool's
// worker threads load this library too.
export * from './batch-pool';
export * from './copy-lines';
export * from './ordered-batches';

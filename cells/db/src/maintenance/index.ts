export * from './archive-schema';
export * from './instance-compute-id';
export * from './shadow-archiver';
export * from './shadow-purger';
export { chunks, inTransaction, type Run } from './sql';

export * from './cache-backend';
export * from './cache.module';
export * from './create-cache';
export * from './memory-cache';
export * from './redis-cache';
export * from './redis-topology';

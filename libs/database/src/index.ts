export * from './data-source';
export * from './db-errors';
export * from './deadlock-retry';
export * from './migrate';
export * from './sql-url';
export * from './timestamped';
export * from './sqlite-serialization';
export * from './db-metrics';

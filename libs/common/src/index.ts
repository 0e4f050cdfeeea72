export * from './context';
export * from './errors';
export * from './single-flight';
export * from './sleep';
export * from './url';
export * from './audit-period';

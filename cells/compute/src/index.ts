export * from './compute-manager';

export * from './compute-hosts';
export * from './compute-manager';

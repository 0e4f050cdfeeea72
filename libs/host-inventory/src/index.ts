export * from './host-errors';
export * from './host-inventory.port';

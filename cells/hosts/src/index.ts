export * from './host-inventory';
export * from './hosts.module';
export * from './node-rows';
export * from './service-heartbeat';
export * from './service-state';
export * from './cell-gather';
export * from './upgrade-levels';

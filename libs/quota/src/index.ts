export * from './quota-limits.repository';
export * from './quota-resources';
export * from './quota.module';
export * from './quota.service';
export * from './usage-counter';
export * from './quota-settable';

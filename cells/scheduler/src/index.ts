export * from './host-states';
export * from './scheduler-service';
export * from './scheduler.module';
export * from './scheduler.runner';
export * from './host-state-cache';

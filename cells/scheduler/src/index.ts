export * from './host-states';
export * from './scheduler-service';

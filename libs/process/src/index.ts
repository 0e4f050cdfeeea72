export * from './run-service';
export * from './router-service';

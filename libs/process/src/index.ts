export * from './run-service';
export * from './workers';

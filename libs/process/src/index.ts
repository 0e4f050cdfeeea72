export * from './run-service';
export * from './workers';
export * from './guru-meditation';

export * from './cell-conductor.client';
export * from './compute.client';
export * from './errors';
export * from './scheduler.client';
export * from './super-conductor.client';
export * from './topics';
export * from './wire-types';

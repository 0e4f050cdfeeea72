export * from './compute-inventory';
export * from './placement-errors';
export * from './placement-types';
export * from './placement.module';
export * from './placement.service';

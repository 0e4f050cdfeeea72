export * from './cell-conductor';
export * from './placement-sync';
export * from './super-conductor';

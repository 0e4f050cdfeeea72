export * from './cell-conductor';
export * from './cell-conductor.runner';
export * from './conductor.module';
export * from './placement-sync';
export * from './super-conductor';
export * from './super-conductor.runner';

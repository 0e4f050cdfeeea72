export * from './aggregate-errors';
export * from './aggregate.repository';
export * from './aggregate.service';
export * from './aggregates.module';
export * from './availability-zones';

export * from './availability-zone.repository';
export * from './availability-zones';
export * from './availability-zones.module';

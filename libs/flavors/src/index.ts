export * from './extra-spec-validation';
export * from './flavor-errors';
export * from './flavor.repository';
export * from './flavor.service';
export * from './flavors.module';

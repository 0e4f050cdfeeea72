export * from './cell-mapping.service';
export * from './cell-sweep';
export * from './embedded-bootstrap.service';
export * from './host-mapping.service';
export * from './instance-mapping.service';
export * from './manage.module';
export * from './schema-sync.service';
export * from './simple-cell-setup.service';

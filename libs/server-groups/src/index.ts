export * from './server-group';
export * from './server-group-errors';
export * from './server-group.repository';
export * from './server-group.service';
export * from './server-groups.module';

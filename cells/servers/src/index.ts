export * from './servers.module';
export * from './servers.adapter';
export * from './server-listing';
export * from './server-operations';
export * from './errors';
export * from './instance-usage';

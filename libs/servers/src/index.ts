export * from './server-record';
export * from './list-query';
export * from './merge';
export * from './build-requests';
export * from './servers.port';

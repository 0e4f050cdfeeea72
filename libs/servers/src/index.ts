export * from './server-record';
export * from './build-requests';

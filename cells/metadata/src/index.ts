export * from './guest-finder';
export * from './metadata-handler';
export * from './metadata-server';
export * from './metadata.module';
export * from './proxy-signature';

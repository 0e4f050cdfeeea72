export * from './server.view';
export * from './unknown-server.view';
export * from './server-create.view';
export * from './server-links';
export * from './formatting';

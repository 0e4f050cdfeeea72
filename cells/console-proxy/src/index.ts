export * from './console-proxy';
export * from './console-proxies';
export * from './console-proxy.module';
export * from './cell-tokens';
export * from './request-checks';
export * from './proxy-app';

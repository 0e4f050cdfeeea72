export * from './allowed-states';
export * from './states';
export * from './status';

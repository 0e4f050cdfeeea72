export * from './instance-notifications';
export * from './instance-payload';

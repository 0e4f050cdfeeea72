export * from './notifier';
export * from './oslo-envelope';

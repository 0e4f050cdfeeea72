export * from './date-argument';
export * from './prettytable';
export * from './textwrap';

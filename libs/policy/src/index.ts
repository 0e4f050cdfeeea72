export * from './evaluate';
export * from './nova-policies';
export * from './policy-enforcer';
export * from './policy.module';
export * from './rule-parser';

import { Module } from '@nestjs/common';
import { PolicyEnforcer } from './policy-enforcer';

@Module({ providers: [PolicyEnforcer], exports: [PolicyEnforcer] })
export class PolicyModule {}

import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { NovaConfig } from './nova-config';

/** Injection token for the loaded, validated configuration. */
export const NOVA_CONFIG = Symbol('NOVA_CONFIG');

/** Config is loaded before Nest boots (so a bad value stops start-up early) and provided globally. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: NovaConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: NOVA_CONFIG, useValue: config }],
      exports: [NOVA_CONFIG],
    };
  }
}

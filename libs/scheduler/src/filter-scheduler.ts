import { Inject, Injectable, Module } from '@nestjs/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { buildFilters } from './filters';
import type { HostState } from './host-state';
import type { RequestSpec } from './request-spec';
import { type SchedulerConfig, schedulerConfigFrom } from './scheduler-config';
import { type SelectOptions, type Selection, selectDestinations } from './select-destinations';

/** selectDestinations with the configured filters and weighers; a bad filter name fails at start-up. */
@Injectable()
export class FilterScheduler {
  readonly config: SchedulerConfig;

  constructor(@Inject(NOVA_CONFIG) novaConfig: NovaConfig) {
    this.config = schedulerConfigFrom(novaConfig);
    buildFilters(this.config.enabledFilters);
  }

  select(spec: RequestSpec, hosts: readonly HostState[], options: SelectOptions = {}): Selection[] {
    return selectDestinations(spec, hosts, this.config, options);
  }
}

/** Provides FilterScheduler. Needs ConfigModule. */
@Module({ providers: [FilterScheduler], exports: [FilterScheduler] })
export class FilterSchedulerModule {}

import type { NovaConfig } from '@nova/config';
import type { WeightMultipliers } from './weighers';

/** What selectDestinations reads of nova.conf ([filter_scheduler], [scheduler]). */
export interface SchedulerConfig {
  readonly enabledFilters: readonly string[];
  readonly hostSubsetSize: number;
  /** Hosts per instance: the selected one plus maxAttempts - 1 alternates. */
  readonly maxAttempts: number;
  readonly weights: WeightMultipliers;
}

export function schedulerConfigFrom(
  config: Pick<NovaConfig, 'filter_scheduler' | 'scheduler'>,
): SchedulerConfig {
  const fs = config.filter_scheduler;
  return {
    enabledFilters: [...fs.enabled_filters],
    hostSubsetSize: fs.host_subset_size,
    maxAttempts: config.scheduler.max_attempts,
    weights: {
      ram: fs.ram_weight_multiplier,
      cpu: fs.cpu_weight_multiplier,
      disk: fs.disk_weight_multiplier,
      softAffinity: fs.soft_affinity_weight_multiplier,
      softAntiAffinity: fs.soft_anti_affinity_weight_multiplier,
    },
  };
}

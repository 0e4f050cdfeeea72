import { ArrayNotEmpty, IsArray, IsInt, IsNumber, IsString, Min } from 'class-validator';
import { FloatOpt, IntOpt, ListOpt, Section } from '../option.decorator';

/**
 * Nova's filter scheduler knobs, with Nova's names. The filter names are checked
 * when the scheduler builds its filter chain (the config library does not know
 * them), so a typo stops nova-scheduler at start-up as in Nova.
 */
@Section('filter_scheduler')
export class FilterSchedulerOptions {
  @ListOpt(
    'Filters the scheduler runs; a host must pass all of them. Nova defaults plus the ' +
      'availability zone, aggregate extra specs and same/different host filters. ' +
      'ResourceFitFilter (the resource check placement does for Nova) always runs.',
  )
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  enabled_filters: string[] = [
    'ComputeFilter',
    'ResourceFitFilter',
    'AvailabilityZoneFilter',
    'ComputeCapabilitiesFilter',
    'ImagePropertiesFilter',
    'AggregateInstanceExtraSpecsFilter',
    'ServerGroupAntiAffinityFilter',
    'ServerGroupAffinityFilter',
    'SameHostFilter',
    'DifferentHostFilter',
  ];

  @IntOpt(
    'The chosen host is picked at random among this many best-weighed hosts (1: always the ' +
      'best; larger values lower the chance that concurrent schedulers pick the same host).',
  )
  @IsInt()
  @Min(1)
  host_subset_size: number = 1;

  @FloatOpt('Weight of free RAM: positive spreads instances, negative stacks them.')
  @IsNumber()
  ram_weight_multiplier: number = 1.0;

  @FloatOpt('Weight of free vCPUs: positive spreads instances, negative stacks them.')
  @IsNumber()
  cpu_weight_multiplier: number = 1.0;

  @FloatOpt('Weight of free disk: positive spreads instances, negative stacks them.')
  @IsNumber()
  disk_weight_multiplier: number = 1.0;

  @FloatOpt('Weight of hosts holding members of a soft-affinity server group.')
  @IsNumber()
  @Min(0)
  soft_affinity_weight_multiplier: number = 1.0;

  @FloatOpt('Weight of hosts holding no members of a soft-anti-affinity server group.')
  @IsNumber()
  @Min(0)
  soft_anti_affinity_weight_multiplier: number = 1.0;
}

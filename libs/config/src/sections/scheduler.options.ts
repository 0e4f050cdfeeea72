import { IsInt, Min } from 'class-validator';
import { IntOpt, Section } from '../option.decorator';

/** The scheduler service's own options, with Nova's names. */
@Section('scheduler')
export class SchedulerOptions {
  @IntOpt(
    'Hosts tried for one instance: the selected host plus max_attempts - 1 alternates in ' +
      'the same cell, used when a claim or a build fails (reschedule).',
  )
  @IsInt()
  @Min(1)
  max_attempts: number = 3;

  @IntOpt(
    'Periodic task interval. How often (in seconds) the scheduler discovers new hosts that ' +
      'have been added to cells, as `nova-manage cell_v2 discover_hosts` does: every unmapped ' +
      'compute node of every cell is mapped to its cell. If negative (the default), no ' +
      'automatic discovery occurs. 0 uses the default interval (60 seconds). nova-all runs ' +
      'discovery every 5 seconds when this is negative.',
  )
  @IsInt()
  @Min(-1)
  discover_hosts_in_cells_interval: number = -1;

  @IntOpt(
    'The most hosts the scheduler filters and weighs for one request (Nova asks placement ' +
      'for at most this many allocation candidates). With the host-state cache, a request ' +
      'considers this many hosts that have room for it, from a random start in the cached ' +
      'list; requests naming hosts, nodes, a same_host hint or an affinity group consider ' +
      'every host.',
  )
  @IsInt()
  @Min(1)
  max_placement_results: number = 1000;

  @IntOpt(
    'Worker processes of nova-scheduler, each consuming the scheduler queue with its own ' +
      'host-state cache. Default 1, not one per CPU as in Nova: one Node process already ' +
      'handles many requests at once, and each worker is a whole process.',
  )
  @IsInt()
  @Min(1)
  workers: number = 1;
}

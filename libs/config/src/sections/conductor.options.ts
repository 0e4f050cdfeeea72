import { IsInt, Min } from 'class-validator';
import { IntOpt, Section } from '../option.decorator';

/** nova-conductor's own options, with Nova's names. */
@Section('conductor')
export class ConductorOptions {
  @IntOpt(
    'Worker processes of nova-conductor (the super conductor and a cell conductor alike), ' +
      'each consuming the same queues. Default 1, not one per CPU as in Nova: one Node process ' +
      'already handles many messages at once, and each worker is a whole process with its own ' +
      'pools and memory.',
  )
  @IsInt()
  @Min(1)
  workers: number = 1;
}

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
}

import { IsOptional, Matches } from 'class-validator';
import { Section, StrOpt } from '../option.decorator';

/** `auto`, a version X.Y, or a release name (checked against the releases we know at startup). */
const LEVEL = /^(auto|\d+\.\d+|[A-Za-z]+)$/;
const message = 'expected auto, a version X.Y or a release name';

/**
 * Nova's [upgrade_levels]: the highest RPC API version this process sends to
 * each kind of service, so a newer API or conductor talks to older services
 * during a rolling upgrade. Unset: what this release speaks.
 */
@Section('upgrade_levels')
export class UpgradeLevelsOptions {
  @StrOpt(
    'Compute RPC version cap: auto (what the oldest running nova-compute speaks, from the ' +
      'services table), a version X.Y, or a release name (Yoga, Zed, Antelope...).',
  )
  @IsOptional()
  @Matches(LEVEL, { message })
  compute?: string;

  @StrOpt('Conductor RPC version cap: auto, a version X.Y, or a release name.')
  @IsOptional()
  @Matches(LEVEL, { message })
  conductor?: string;

  @StrOpt('Scheduler RPC version cap: auto, a version X.Y, or a release name.')
  @IsOptional()
  @Matches(LEVEL, { message })
  scheduler?: string;
}

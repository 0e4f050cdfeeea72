import { IsBoolean, IsString } from 'class-validator';
import { BoolOpt, Section, StrOpt } from '../option.decorator';

@Section('oslo_policy')
export class PolicyOptions {
  @StrOpt(
    'Policy file (YAML or JSON) overriding rule defaults; relative paths are looked up next to the config files.',
  )
  @IsString()
  policy_file: string = 'policy.yaml';

  @BoolOpt('Use the new project-persona defaults (admin / member / reader / manager).')
  @IsBoolean()
  enforce_new_defaults: boolean = true;
}

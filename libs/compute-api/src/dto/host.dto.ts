import { IsIn, IsString } from 'class-validator';
import { NotNullOptional } from './validators';

/** Nova's os-hosts update accepts these spellings only. */
const TOGGLE = ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'];

/** PUT /os-hosts/{host} (until 2.42): at least one of the two; the controller checks that. */
export class HostUpdateBody {
  @NotNullOptional() @IsString() @IsIn(TOGGLE) status?: string;
  @NotNullOptional() @IsString() @IsIn(TOGGLE) maintenance_mode?: string;
}

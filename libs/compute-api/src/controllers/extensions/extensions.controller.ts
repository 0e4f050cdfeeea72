import { Controller, Get, Param } from '@nestjs/common';
import { NotFound } from '@nova/common';
import { apiPaths } from '../../http/api-paths';
import { Authorize } from '../../http/route-meta';
import { LEGACY_EXTENSIONS } from './legacy-extensions';

/** GET /extensions (Nova's deprecated extension list): any authenticated caller. */
@Controller(apiPaths('extensions'))
export class ExtensionsController {
  @Get()
  @Authorize('os_compute_api:extensions')
  index() {
    return { extensions: LEGACY_EXTENSIONS };
  }

  @Get(':alias')
  @Authorize('os_compute_api:extensions')
  show(@Param('alias') alias: string) {
    const extension = LEGACY_EXTENSIONS.find((e) => e.alias === alias);
    if (!extension) {
      throw new NotFound('The resource could not be found.');
    }
    return { extension };
  }
}

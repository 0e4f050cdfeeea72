import { Controller, Get, Param, Put } from '@nestjs/common';
import { Invalid, type RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService } from '@nova/quota';
import { QUOTA_CLASS_SET_UPDATE_BODIES, type QuotaClassSetUpdateBody } from '../../dto/quota.dto';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { quotaClassSetView } from '../../views/quota.view';
import { limitsFrom } from './quota-input';

const RULE = (action: string) => `os_compute_api:os-quota-class-sets:${action}`;

/**
 * /os-quota-class-sets/{class} (admin). Any class can be stored and read; only
 * the `default` class changes the limits projects get.
 */
@Controller(apiPaths('os-quota-class-sets'))
export class QuotaClassSetsController {
  constructor(
    private readonly quotas: QuotaService,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Param('id') id: string) {
    this.policy.authorize(ctx, RULE('show'), { quota_class: id });
    return quotaClassSetView(await this.quotas.classLimits(id), v, id);
  }

  @Put(':id')
  async update(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('id') id: string,
    @VersionedBody(QUOTA_CLASS_SET_UPDATE_BODIES) body: QuotaClassSetUpdateBody,
  ) {
    this.policy.authorize(ctx, RULE('update'), { quota_class: id });
    const length = [...id].length;
    if (length < 1 || length > 255) {
      throw new Invalid(
        length < 1
          ? `quota_class_name has ${length} characters, less than 1.`
          : `quota_class_name has ${length} characters, more than 255.`,
      );
    }
    // The networks quota is taken before 2.50 but means nothing any more: not stored.
    const values = { ...body.quota_class_set };
    delete values['networks'];
    await this.quotas.setClassLimits(id, limitsFrom(values));
    return quotaClassSetView(await this.quotas.classLimits(id), v);
  }
}

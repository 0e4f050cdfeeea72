import { Controller, Get, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService } from '@nova/quota';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { queryOf, single } from '../../http/query';
import { QueryParams, QuerySchema } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { limitsView } from '../../views/limits.view';

const LIMITS_QUERY = new QuerySchema([{ name: 'tenant_id' }]);

/** GET /limits: the project's absolute limits and usage; another project's (tenant_id) for admins. */
@Controller(apiPaths('limits'))
export class LimitsController {
  constructor(
    private readonly quotas: QuotaService,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  @Authorize('os_compute_api:limits')
  @QueryParams(LIMITS_QUERY)
  async index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    const query = queryOf(req);
    LIMITS_QUERY.check(query, v);
    let projectId = ctx.projectId ?? '';
    if (query['tenant_id'] !== undefined) {
      // Asking by tenant_id needs the other-project rule even for one's own project, as in Nova.
      projectId = single(query, 'tenant_id') ?? '';
      this.policy.authorize(ctx, 'os_compute_api:limits:other_project', {
        project_id: projectId,
      });
    }
    const [limits, inUse] = await Promise.all([
      this.quotas.projectLimits(projectId),
      this.quotas.inUse(projectId),
    ]);
    return limitsView(limits, inUse, v);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Invalid, type RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService, type Limits } from '@nova/quota';
import { QUOTA_SET_UPDATE_BODIES, type QuotaSetUpdateBody } from '../../dto/quota.dto';
import { toBool } from '../../dto/validators';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { quotaSetDetailView, quotaSetView } from '../../views/quota.view';
import { limitsFrom, QUOTA_QUERY, quotaUserId } from './quota-input';

const RULE = (action: string) => `os_compute_api:os-quota-sets:${action}`;

/**
 * /os-quota-sets/{project_id}: a project's (or, with user_id, a user's) limits,
 * with usage (detail), the defaults, and, for admins, update and revert.
 * Policies are checked against the project in the URL, so another project's
 * member gets 403.
 */
@Controller(apiPaths('os-quota-sets'))
export class QuotaSetsController {
  constructor(
    private readonly quotas: QuotaService,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get(':id')
  @QueryParams(QUOTA_QUERY)
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
  ) {
    const userId = quotaUserId(queryOf(req), v);
    this.policy.authorize(ctx, RULE('show'), { project_id: id });
    return quotaSetView(await this.limitsOf(id, userId), v, id);
  }

  @Get(':id/detail')
  @QueryParams(QUOTA_QUERY)
  async detail(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
  ) {
    const userId = quotaUserId(queryOf(req), v);
    this.policy.authorize(ctx, RULE('detail'), { project_id: id });
    const [limits, inUse] = await Promise.all([
      this.limitsOf(id, userId),
      this.quotas.inUse(id, userId),
    ]);
    return quotaSetDetailView(limits, inUse, v, id);
  }

  @Get(':id/defaults')
  async defaults(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Param('id') id: string) {
    this.policy.authorize(ctx, RULE('defaults'), { project_id: id });
    return quotaSetView(await this.quotas.defaults(), v, id);
  }

  /** Set limits; without `force` each must cover current usage (and a user's fit the project's). */
  @Put(':id')
  @QueryParams(QUOTA_QUERY)
  async update(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
    @VersionedBody(QUOTA_SET_UPDATE_BODIES) body: QuotaSetUpdateBody,
  ) {
    const userId = quotaUserId(queryOf(req), v);
    this.policy.authorize(ctx, RULE('update'), { project_id: id });
    const { force, ...values } = body.quota_set;
    if (values['networks'] !== undefined) {
      // nova-network's quota: the schema still takes it before 2.36, only to refuse it.
      throw new Invalid('The networks quota has been removed');
    }
    await this.quotas.updateLimits(
      id,
      userId,
      limitsFrom(values),
      force !== undefined && toBool(force),
    );
    return quotaSetView(await this.limitsOf(id, userId), v);
  }

  /** Back to the defaults: the project's limits and its users' (or only the given user's). */
  @Delete(':id')
  @QueryParams(QUOTA_QUERY)
  @HttpCode(202)
  async remove(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
    @Body() _body: unknown,
  ): Promise<void> {
    const userId = quotaUserId(queryOf(req), v);
    this.policy.authorize(ctx, RULE('delete'), { project_id: id });
    await (userId === undefined
      ? this.quotas.deleteProjectLimits(id)
      : this.quotas.deleteUserLimits(id, userId));
  }

  private limitsOf(projectId: string, userId: string | undefined): Promise<Limits> {
    return userId === undefined
      ? this.quotas.projectLimits(projectId)
      : this.quotas.userLimits(projectId, userId);
  }
}

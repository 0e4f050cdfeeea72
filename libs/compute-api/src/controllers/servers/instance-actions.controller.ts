import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NotFound, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type InstanceActionRecord, type ServersPort } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { instanceActionView } from '../../views/servers/instance-action.view';
import { ACTION_LIST_QUERY, actionListQuery, pageOfActions } from './instance-action-query';
import { CellNotResponding, isUnknownServer } from './server-lookup';

const RULE = 'os_compute_api:os-instance-actions';

/**
 * /servers/{id}/os-instance-actions: what was done to a server, newest first
 * (from 2.21 also of a deleted server; from 2.58 paged and filtered by
 * updated_at), and one action with its events: for the events policy (admin)
 * with tracebacks and hosts, for the others only from 2.51 and without them.
 */
@Controller(apiPaths('servers/:server_id/os-instance-actions'))
export class InstanceActionsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(ACTION_LIST_QUERY)
  async index(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('server_id') id: string,
  ) {
    const query = actionListQuery(queryOf(req), v, this.config.api.max_limit);
    const { projectId, actions } = await this.actionsOf(ctx, v, id);
    this.policy.authorize(ctx, `${RULE}:list`, { project_id: projectId });
    const page = query ? pageOfActions(actions, query) : actions;
    const body: Record<string, unknown> = {
      instanceActions: page.map((a) => instanceActionView(a, v, null)),
    };
    const last = page[page.length - 1];
    if (query && last && query.limit > 0 && page.length === query.limit) {
      body['links'] = [nextLink(req, this.config.api.compute_link_prefix, last.request_id)];
    }
    return body;
  }

  @Get(':request_id')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
    @Param('request_id') requestId: string,
  ) {
    const { uuid, projectId, actions } = await this.actionsOf(ctx, v, id);
    const target = { project_id: projectId };
    this.policy.authorize(ctx, `${RULE}:show`, target);
    const action = actions.find((a) => a.request_id === requestId);
    if (!action) {
      throw new NotFound(`Action for request_id ${requestId} on instance ${uuid} not found`);
    }
    const privileged = this.policy.allows(ctx, `${RULE}:events`, target);
    const events =
      privileged || v.atLeast('2.51')
        ? {
            traceback: privileged,
            host: privileged && v.atLeast('2.62'),
            hostId: v.atLeast('2.62'),
            details: v.atLeast('2.84') && this.policy.allows(ctx, `${RULE}:events:details`, target),
            // Events of periodic tasks have no project: the server's stands in.
            projectId: action.project_id ?? projectId,
          }
        : null;
    return { instanceAction: instanceActionView(action, v, events) };
  }

  /**
   * The server's actions and the project the policy targets. From 2.21 a
   * deleted server still has its actions; its project is then the one that
   * created it, as recorded with them.
   */
  private async actionsOf(
    ctx: RequestContext,
    v: ApiVersion,
    id: string,
  ): Promise<{ uuid: string; projectId: string | null; actions: InstanceActionRecord[] }> {
    let server;
    try {
      server = await this.servers.get(ctx, id);
    } catch (err) {
      if (!(err instanceof NotFound) || !v.atLeast('2.21')) {
        throw err;
      }
      const actions = await this.servers.instanceActions(ctx, id);
      const origin = actions.find((a) => a.action === 'create') ?? actions[actions.length - 1];
      if (!origin) {
        throw err;
      }
      return { uuid: origin.instance_uuid, projectId: origin.project_id, actions };
    }
    if (isUnknownServer(server)) {
      throw new CellNotResponding(server);
    }
    const actions = await this.servers.instanceActions(ctx, server.uuid);
    return { uuid: server.uuid, projectId: server.project_id, actions };
  }
}

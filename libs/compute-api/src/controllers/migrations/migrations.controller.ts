import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServersPort } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink, resourceLinks } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { migrationView } from '../../views/migration.view';
import { MIGRATION_LIST_QUERY, migrationListQuery } from './migration-query';

const RULE = 'os_compute_api:os-migrations:index';

/**
 * GET /os-migrations: the moves of servers in every cell, newest first. A
 * caller without `index:all_projects` sees only its own project's, without
 * `index:host` with the hosts blanked; from 2.59 paged by migration uuid.
 */
@Controller(apiPaths('os-migrations'))
export class MigrationsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(MIGRATION_LIST_QUERY)
  @Authorize(RULE)
  async index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    let query = migrationListQuery(queryOf(req), v, this.config.api.max_limit);
    if (!this.policy.allows(ctx, `${RULE}:all_projects`)) {
      query = { ...query, projectId: ctx.projectId ?? '' };
    }
    const migrations = await this.servers.migrations(ctx, query);
    const prefix = this.config.api.compute_link_prefix;
    const context = {
      showHosts: this.policy.allows(ctx, `${RULE}:host`),
      links: (m: { instance_uuid: string | null; id: number }) =>
        resourceLinks(req, prefix, `servers/${m.instance_uuid ?? ''}/migrations`, m.id),
    };
    const body: Record<string, unknown> = {
      migrations: migrations.map((m) => migrationView(m, v, context)),
    };
    const last = migrations[migrations.length - 1];
    if (v.atLeast('2.59') && last && query.limit && migrations.length === query.limit) {
      body['migrations_links'] = [nextLink(req, prefix, last.uuid)];
    }
    return body;
  }
}

import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { NotFound, type RequestContext } from '@nova/common';
import { LIVE_MIGRATION_IN_PROGRESS } from '@nova/compute-rpc';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';
import { ForceCompleteBody } from '../../dto/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Ctx, ReqVersion, Versions } from '../../http/route-meta';
import { ValidBody } from '../../http/validation';
import { serverMigrationView } from '../../views/migration.view';
import { findServer } from './server-lookup';

const RULE = 'os_compute_api:servers:migrations';

/** A migration id from the URL (Nova's are integers; anything else names no migration). */
function migrationId(id: string): number {
  return /^\d+$/.test(id) ? Number(id) : -1;
}

/**
 * /servers/{id}/migrations: the server's live migrations in progress (2.23),
 * one of them (2.23, admins), force_complete (2.22) and abort (2.24; queued
 * and preparing ones too from 2.65), with Nova's policies and 404/400s.
 */
@Controller(apiPaths('servers/:server_id/migrations'))
export class ServerMigrationsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  @Versions('2.23')
  async index(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') serverId: string,
  ) {
    const server = await this.server(ctx, serverId, 'index');
    const showHosts = this.policy.allows(ctx, `${RULE}:index:host`, {
      project_id: server.project_id,
    });
    const migrations = await this.servers.serverMigrations(ctx, server);
    return { migrations: migrations.map((m) => serverMigrationView(m, v, showHosts)) };
  }

  @Get(':migration_id')
  @Versions('2.23')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') serverId: string,
    @Param('migration_id') id: string,
  ) {
    const server = await this.server(ctx, serverId, 'show');
    const migration = await this.servers.serverMigration(ctx, server, migrationId(id));
    if (!migration) {
      throw new NotFound(`In-progress live migration ${id} is not found for server ${serverId}.`);
    }
    if (migration.migration_type !== 'live-migration') {
      throw new NotFound(`Migration ${id} for server ${serverId} is not live-migration.`);
    }
    if (!LIVE_MIGRATION_IN_PROGRESS.includes(migration.status ?? '')) {
      throw new NotFound(`Live migration ${id} for server ${serverId} is not in progress.`);
    }
    return { migration: serverMigrationView(migration, v, true) };
  }

  @Post(':migration_id/action')
  @Versions('2.22')
  @HttpCode(202)
  async forceComplete(
    @Ctx() ctx: RequestContext,
    @Param('server_id') serverId: string,
    @Param('migration_id') id: string,
    @ValidBody(ForceCompleteBody) _body: object,
  ): Promise<void> {
    const server = await this.server(ctx, serverId, 'force_complete');
    await this.servers.controlLiveMigration(
      ctx,
      server,
      migrationId(id),
      'force_complete',
      { abortQueued: false },
      { isAdmin: ctx.isAdmin },
    );
  }

  @Delete(':migration_id')
  @Versions('2.24')
  @HttpCode(202)
  async abort(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') serverId: string,
    @Param('migration_id') id: string,
  ): Promise<void> {
    const server = await this.server(ctx, serverId, 'delete');
    await this.servers.controlLiveMigration(
      ctx,
      server,
      migrationId(id),
      'abort',
      { abortQueued: v.atLeast('2.65') },
      { isAdmin: ctx.isAdmin },
    );
  }

  /** The server (404 first, as Nova looks it up before the policy), then the policy on it. */
  private async server(ctx: RequestContext, id: string, rule: string): Promise<ServerRecord> {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:${rule}`, { project_id: server.project_id });
    return server;
  }
}

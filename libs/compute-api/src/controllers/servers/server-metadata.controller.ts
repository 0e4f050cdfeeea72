import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { NotFound, type RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService } from '@nova/quota';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';
import {
  metadataItemFromBody,
  ServerMetadataBody,
  ServerMetadataItemBody,
  type ServerMetadataBodyFields,
  type ServerMetadataItemBodyFields,
} from '../../dto/servers';
import { apiPaths } from '../../http/api-paths';
import { Ctx } from '../../http/route-meta';
import { ValidBody } from '../../http/validation';
import { checkChangeable, checkMetadataQuota } from './server-checks';
import { findServer } from './server-lookup';

const RULE = 'os_compute_api:server-metadata';

type Action = 'index' | 'show' | 'create' | 'update' | 'update_all' | 'delete';

/**
 * /servers/{id}/metadata: read it, merge into it (POST), replace it (PUT), and
 * one item by key. Changes need a steady vm_state and no lock (admins pass
 * locks), and the result must stay within the metadata_items quota (403).
 */
@Controller(apiPaths('servers/:server_id/metadata'))
export class ServerMetadataController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
    private readonly quota: QuotaService,
  ) {}

  @Get()
  async index(@Ctx() ctx: RequestContext, @Param('server_id') id: string) {
    const server = await this.server(ctx, id, 'index');
    return { metadata: server.metadata };
  }

  @Post()
  @HttpCode(200)
  async create(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @ValidBody(ServerMetadataBody) body: ServerMetadataBodyFields,
  ) {
    const server = await this.server(ctx, id, 'create');
    return { metadata: await this.set(ctx, server, body.metadata, false) };
  }

  @Put()
  async updateAll(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @ValidBody(ServerMetadataBody) body: ServerMetadataBodyFields,
  ) {
    const server = await this.server(ctx, id, 'update_all');
    return { metadata: await this.set(ctx, server, body.metadata, true) };
  }

  @Get(':key')
  async show(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('key') key: string,
  ) {
    const server = await this.server(ctx, id, 'show');
    if (!Object.hasOwn(server.metadata, key)) {
      throw new NotFound('Metadata item was not found');
    }
    return { meta: { [key]: server.metadata[key] } };
  }

  @Put(':key')
  async update(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('key') key: string,
    @ValidBody(ServerMetadataItemBody) body: ServerMetadataItemBodyFields,
  ) {
    const server = await this.server(ctx, id, 'update');
    const [itemKey, value] = metadataItemFromBody(body, key);
    await this.set(ctx, server, { [itemKey]: value }, false);
    return { meta: { [itemKey]: value } };
  }

  @Delete(':key')
  @HttpCode(204)
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('key') key: string,
  ): Promise<void> {
    const server = await this.server(ctx, id, 'delete');
    if (!Object.hasOwn(server.metadata, key)) {
      throw new NotFound('Metadata item was not found');
    }
    checkChangeable(server, 'delete metadata', { isAdmin: ctx.isAdmin });
    await this.servers.deleteMetadataItem(ctx, server, key);
  }

  private async server(ctx: RequestContext, id: string, action: Action): Promise<ServerRecord> {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:${action}`, { project_id: server.project_id });
    return server;
  }

  /** Lock and state first, then the quota on what the server would end up with. */
  private async set(
    ctx: RequestContext,
    server: ServerRecord,
    metadata: Readonly<Record<string, string>>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    checkChangeable(server, 'update metadata', { isAdmin: ctx.isAdmin });
    const result = replace ? metadata : { ...server.metadata, ...metadata };
    // Nova checks the caller's limits (limit_check on the request context).
    const limits = await this.quota.userLimits(
      ctx.projectId ?? server.project_id,
      ctx.userId ?? '',
    );
    checkMetadataQuota(Object.keys(result).length, limits.metadata_items);
    return this.servers.setMetadata(ctx, server, metadata, replace);
  }
}

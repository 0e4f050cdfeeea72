import { Controller, Delete, Get, HttpCode, Inject, Param, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';
import {
  checkTagCount,
  checkTagParam,
  ServerTagsBody,
  tagsFromBody,
  type ServerTagsBodyFields,
} from '../../dto/servers';
import { apiPaths } from '../../http/api-paths';
import { baseUrl } from '../../http/links';
import { Ctx, Versions } from '../../http/route-meta';
import { ValidBody } from '../../http/validation';
import { checkChangeable, tagNotFound, tagNotShown } from './server-checks';
import { findServer } from './server-lookup';

const RULE = 'os_compute_api:os-server-tags';

type Action = 'index' | 'show' | 'update' | 'update_all' | 'delete' | 'delete_all';

/**
 * /servers/{id}/tags (2.26): list, replace, delete all, and one tag (exists:
 * 204/404, add: 201 with Location or 204 when it was there, delete: 204).
 * Changes need a steady vm_state (409 naming Nova's action); locks do not apply.
 */
@Controller(apiPaths('servers/:server_id/tags'))
@Versions('2.26')
export class ServerTagsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  async index(@Ctx() ctx: RequestContext, @Param('server_id') id: string) {
    const server = await this.server(ctx, id, 'index');
    return { tags: server.tags };
  }

  @Put()
  async updateAll(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @ValidBody(ServerTagsBody) body: ServerTagsBodyFields,
  ) {
    const server = await this.server(ctx, id, 'update_all');
    checkChangeable(server, 'update tags', null);
    return { tags: await this.servers.setTags(ctx, server, tagsFromBody(body)) };
  }

  @Delete()
  @HttpCode(204)
  async removeAll(@Ctx() ctx: RequestContext, @Param('server_id') id: string): Promise<void> {
    const server = await this.server(ctx, id, 'delete_all');
    checkChangeable(server, 'delete tags', null);
    await this.servers.setTags(ctx, server, []);
  }

  @Get(':tag')
  @HttpCode(204)
  async show(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('tag') tag: string,
  ): Promise<void> {
    const server = await this.server(ctx, id, 'show');
    if (!server.tags.includes(tag)) {
      throw tagNotShown(id, tag);
    }
  }

  @Put(':tag')
  async update(
    @Ctx() ctx: RequestContext,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('server_id') id: string,
    @Param('tag') tag: string,
  ): Promise<void> {
    const server = await this.server(ctx, id, 'update');
    checkChangeable(server, 'update tag', null);
    checkTagParam(tag);
    // Nova counts before looking: a server at the limit refuses even a tag it has.
    checkTagCount(server.tags.length + 1);
    if (server.tags.includes(tag) || !(await this.servers.addTag(ctx, server, tag))) {
      await reply.code(204).send();
      return;
    }
    await reply
      .code(201)
      .header('Location', this.location(req, server.uuid, tag))
      .send();
  }

  @Delete(':tag')
  @HttpCode(204)
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('tag') tag: string,
  ): Promise<void> {
    const server = await this.server(ctx, id, 'delete');
    checkChangeable(server, 'delete tag', null);
    if (!server.tags.includes(tag)) {
      throw tagNotFound(server.uuid, tag);
    }
    await this.servers.deleteTag(ctx, server, tag);
  }

  private async server(ctx: RequestContext, id: string, action: Action): Promise<ServerRecord> {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:${action}`, { project_id: server.project_id });
    return server;
  }

  /** The new tag's URL (encoded: a tag may hold characters a header cannot). */
  private location(req: FastifyRequest, uuid: string, tag: string): string {
    const project = (req.params as Record<string, string | undefined>)['project_id'];
    return `${baseUrl(req, this.config.api.compute_link_prefix)}/v2.1${project ? `/${project}` : ''}/servers/${uuid}/tags/${encodeURIComponent(tag)}`;
  }
}

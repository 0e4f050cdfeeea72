import { Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { KeypairService } from '@nova/keypairs';
import { PolicyEnforcer } from '@nova/policy';
import {
  CREATE_KEYPAIR_BODIES,
  checkKeypairName,
  type KeypairCreateFields,
} from '../../dto/keypair.dto';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { keypairCreatedView, keypairListView, keypairShowView } from '../../views/keypair.view';
import {
  checkKeypairItemQuery,
  KEYPAIR_ITEM_QUERY,
  KEYPAIR_LIST_QUERY,
  keypairListQuery,
  keypairOwner,
} from './keypair-query';

const RULE = (action: 'index' | 'create' | 'show' | 'delete') =>
  `os_compute_api:os-keypairs:${action}`;

/**
 * /os-keypairs: a user's keypairs (admins: anyone's, by `user_id`, from 2.10).
 * Policy targets the keypairs' owner, so it is checked here, not by @Authorize.
 * Create and delete answer 200/202 at 2.1 and 201/204 from 2.2, hence @Res.
 */
@Controller(apiPaths('os-keypairs'))
export class KeypairsController {
  constructor(
    private readonly keypairs: KeypairService,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(KEYPAIR_LIST_QUERY)
  async index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    const query = queryOf(req);
    const page = keypairListQuery(query, v, this.config.api.max_limit);
    const userId = keypairOwner(ctx, query, v);
    this.policy.authorize(ctx, RULE('index'), { user_id: userId });
    const keypairs = await this.keypairs.list(userId, page);
    const body: Record<string, unknown> = keypairListView(keypairs, v);
    const last = keypairs[keypairs.length - 1];
    if (page && last && page.limit && keypairs.length === page.limit) {
      body['keypairs_links'] = [nextLink(req, this.config.api.compute_link_prefix, last.name)];
    }
    return body;
  }

  @Post()
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Res() reply: FastifyReply,
    @VersionedBody(CREATE_KEYPAIR_BODIES) body: { keypair: KeypairCreateFields },
  ): Promise<void> {
    const fields = body.keypair;
    checkKeypairName(fields.name, v);
    const userId = fields.user_id || (ctx.userId ?? '');
    this.policy.authorize(ctx, RULE('create'), { user_id: userId });
    const created = await this.keypairs.create(ctx, {
      userId,
      name: fields.name,
      type: fields.type ?? 'ssh',
      ...(fields.public_key !== undefined ? { publicKey: fields.public_key } : {}),
    });
    await reply.code(v.atLeast('2.2') ? 201 : 200).send(keypairCreatedView(created, v));
  }

  @Get(':keypair_name')
  @QueryParams(KEYPAIR_ITEM_QUERY)
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('keypair_name') name: string,
  ) {
    const userId = this.itemOwner(ctx, v, req, 'show');
    return keypairShowView(await this.keypairs.get(userId, name), v);
  }

  @Delete(':keypair_name')
  @QueryParams(KEYPAIR_ITEM_QUERY)
  async remove(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('keypair_name') name: string,
  ): Promise<void> {
    const userId = this.itemOwner(ctx, v, req, 'delete');
    await this.keypairs.delete(userId, name);
    await reply.code(v.atLeast('2.2') ? 204 : 202).send();
  }

  /** The owner of the keypair a show or delete is about, after the query and policy checks. */
  private itemOwner(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    action: 'show' | 'delete',
  ): string {
    const query = queryOf(req);
    checkKeypairItemQuery(query, v);
    const userId = keypairOwner(ctx, query, v);
    this.policy.authorize(ctx, RULE(action), { user_id: userId });
    return userId;
  }
}

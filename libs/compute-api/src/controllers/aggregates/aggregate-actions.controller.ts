import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { AggregateService } from '@nova/aggregates';
import { Invalid, NotFound, type RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { AddHostBody, RemoveHostBody, SetMetadataBody } from '../../dto/aggregate.dto';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { ActionBodies, type ActionTable, Ctx, ReqVersion } from '../../http/route-meta';
import { validateBody } from '../../http/validation';
import { aggregateView } from '../../views/aggregate.view';
import { aggregateId, aggregateMetadataFrom } from './aggregate-body';

/** The actions and their bodies (the OpenAPI document lists them from here). */
const ACTIONS = {
  add_host: { bodies: { '2.1': AddHostBody } },
  remove_host: { bodies: { '2.1': RemoveHostBody } },
  set_metadata: { bodies: { '2.1': SetMetadataBody } },
} as const satisfies ActionTable;
type ActionName = keyof typeof ACTIONS;

/** POST /os-aggregates/{id}/action: add_host, remove_host, set_metadata (admin, 200). */
@Controller(apiPaths('os-aggregates/:id'))
export class AggregateActionsController {
  constructor(
    private readonly aggregates: AggregateService,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Post('action')
  @HttpCode(200)
  @ActionBodies(ACTIONS)
  async action(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const name = actionName(body);
    this.policy.authorize(ctx, `os_compute_api:os-aggregates:${name}`);
    return { aggregate: aggregateView(await this.run(name, id, body), v) };
  }

  private async run(name: ActionName, id: string, body: unknown) {
    switch (name) {
      case 'add_host': {
        const { host } = validateBody(ACTIONS.add_host.bodies['2.1'], body).add_host;
        return this.aggregates.addHost(aggregateId(id), host);
      }
      case 'remove_host': {
        const { host } = validateBody(ACTIONS.remove_host.bodies['2.1'], body).remove_host;
        try {
          return await this.aggregates.removeHost(aggregateId(id), host);
        } catch (err) {
          // Nova answers every "not there" (host, aggregate, membership) alike.
          if (err instanceof NotFound) {
            throw new NotFound(`Cannot remove host ${host} in aggregate ${id}`);
          }
          throw err;
        }
      }
      case 'set_metadata': {
        const { metadata } = validateBody(ACTIONS.set_metadata.bodies['2.1'], body).set_metadata;
        return this.aggregates.setMetadata(aggregateId(id), aggregateMetadataFrom(metadata));
      }
    }
  }
}

/** The one key of an action body names the action (Nova's action_peek). */
function actionName(body: unknown): ActionName {
  const keys =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
  if (keys.length !== 1) {
    throw new Invalid('Malformed request body');
  }
  const [name] = keys as [string];
  if (!Object.hasOwn(ACTIONS, name)) {
    throw new Invalid(`There is no such action: ${name}`);
  }
  return name as ActionName;
}

import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Invalid, type RequestContext } from '@nova/common';
import { FlavorService } from '@nova/flavors';
import { PolicyEnforcer } from '@nova/policy';
import { AddTenantAccessBody, RemoveTenantAccessBody } from '../../dto/flavor.dto';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { ActionBodies, type ActionTable, Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { validateBody } from '../../http/validation';
import { flavorAccessView } from '../../views/flavor.view';

/** The actions and their bodies (the OpenAPI document lists them from here). */
const ACTIONS = {
  addTenantAccess: { bodies: { '2.1': AddTenantAccessBody } },
  removeTenantAccess: { bodies: { '2.1': RemoveTenantAccessBody } },
} as const satisfies ActionTable;

/** Who may use a private flavor: os-flavor-access and the add/removeTenantAccess actions (admin). */
@Controller(apiPaths('flavors/:flavor_id'))
export class FlavorAccessController {
  constructor(
    private readonly flavors: FlavorService,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get('os-flavor-access')
  @Authorize('os_compute_api:os-flavor-access')
  async index(@Ctx() ctx: RequestContext, @Param('flavor_id') id: string) {
    return flavorAccessView(id, await this.flavors.accessList(ctx, id));
  }

  @Post('action')
  @HttpCode(200)
  @ActionBodies(ACTIONS)
  async action(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('flavor_id') id: string,
    @Body() body: unknown,
  ) {
    const name =
      body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    if (name === 'addTenantAccess') {
      this.policy.authorize(ctx, 'os_compute_api:os-flavor-access:add_tenant_access');
      const { addTenantAccess } = validateBody(ACTIONS.addTenantAccess.bodies['2.1'], body);
      return flavorAccessView(
        id,
        await this.flavors.addAccess(ctx, id, addTenantAccess.tenant, v.atLeast('2.7')),
      );
    }
    if (name === 'removeTenantAccess') {
      this.policy.authorize(ctx, 'os_compute_api:os-flavor-access:remove_tenant_access');
      const { removeTenantAccess } = validateBody(ACTIONS.removeTenantAccess.bodies['2.1'], body);
      return flavorAccessView(
        id,
        await this.flavors.removeAccess(ctx, id, removeTenantAccess.tenant),
      );
    }
    throw new Invalid(
      name === undefined ? 'Malformed request body' : `There is no such action: ${name}`,
    );
  }
}

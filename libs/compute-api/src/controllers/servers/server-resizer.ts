import { Inject, Injectable } from '@nestjs/common';
import { Invalid, type RequestContext } from '@nova/common';
import { checkActionAllowed } from '@nova/compute-state';
import { FlavorNotFound, FlavorService } from '@nova/flavors';
import { ImageNotAuthorized, ImageNotFound, ImageService, type Image } from '@nova/images';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService } from '@nova/quota';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';
import { wireFlavor } from './server-creator';
import { autoDiskConfig, checkImageForFlavor } from './server-checks';

const CROSS_CELL_RESIZE = 'compute:servers:resize:cross_cell';

/**
 * The resize action past its policy, in Nova's order: the state (409), the
 * new flavor (found, enabled, accessible, another one, not a zero disk for a
 * server that has one), the server's image against it, the quota for the
 * flavor delta, then the port's move. Nothing changes when a check fails.
 */
@Injectable()
export class ServerResizer {
  constructor(
    private readonly flavors: FlavorService,
    private readonly images: ImageService,
    private readonly quota: QuotaService,
    private readonly policy: PolicyEnforcer,
    @Inject(SERVERS) private readonly servers: ServersPort,
  ) {}

  async resize(
    ctx: RequestContext,
    server: ServerRecord,
    request: { flavorId: string; diskConfig: 'AUTO' | 'MANUAL' | null },
  ): Promise<void> {
    checkActionAllowed('resize', server, ctx.isAdmin);
    const found = await this.flavors.get(ctx, request.flavorId).catch((err: unknown) => {
      throw err instanceof FlavorNotFound ? new Invalid(err.message) : err;
    });
    if (found.disabled) {
      throw new Invalid(`Flavor ${request.flavorId} could not be found.`);
    }
    const current = server.flavor;
    if (found.flavorid === current.flavorid) {
      throw new Invalid('When resizing, instances must change flavor!');
    }
    const flavor = wireFlavor(found);
    if (flavor.root_gb === 0 && current.root_gb !== 0) {
      throw new Invalid(
        'Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.',
      );
    }
    const image = await this.image(ctx, server.image_ref ?? '');
    // Nova checks the flavor against the image whatever the image's status now is.
    checkImageForFlavor({ ...image, status: 'active' }, flavor);
    const autoDisk =
      request.diskConfig === null ? undefined : autoDiskConfig(request.diskConfig, image);
    await this.quota.check(server.project_id, server.user_id, {
      cores: flavor.vcpus - current.vcpus,
      ram: flavor.memory_mb - current.memory_mb,
    });
    // Nova asks this policy (default: nobody) before letting the scheduler look at other cells.
    const crossCell = this.policy.allows(ctx, CROSS_CELL_RESIZE, {
      project_id: server.project_id,
      user_id: server.user_id,
    });
    await this.servers.move(
      ctx,
      server,
      {
        kind: 'resize',
        flavor,
        crossCell,
        ...(autoDisk !== undefined ? { autoDiskConfig: autoDisk } : {}),
      },
      { isAdmin: ctx.isAdmin },
    );
  }

  private async image(ctx: RequestContext, id: string): Promise<Image> {
    try {
      return await this.images.get(ctx, id);
    } catch (err) {
      if (err instanceof ImageNotFound) {
        throw new Invalid('Image that the instance was started with could not be found.');
      }
      throw err instanceof ImageNotAuthorized ? new Invalid(err.message) : err;
    }
  }
}

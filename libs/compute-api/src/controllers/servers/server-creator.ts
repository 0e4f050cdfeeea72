import { Inject, Injectable } from '@nestjs/common';
import { Invalid, NotFound, type RequestContext } from '@nova/common';
import type { WireFlavor } from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { FlavorNotFound, FlavorService, type FlavorWithSpecs } from '@nova/flavors';
import { HOST_INVENTORY, type HostInventoryPort } from '@nova/host-inventory';
import { ImageNotAuthorized, ImageNotFound, ImageService, type Image } from '@nova/images';
import { KeypairNotFound, KeypairService } from '@nova/keypairs';
import {
  NETWORK_API,
  NEUTRON_PORTS,
  PortLimitExceeded,
  SecurityGroupNotFound,
  type NetworkApi,
  type NeutronPortsPort,
  type NicPlan,
} from '@nova/network';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService, type UserAndProjectLimits } from '@nova/quota';
import { ServerGroupNotFound, ServerGroupService } from '@nova/server-groups';
import { SERVERS, type ServersPort } from '@nova/servers';
import type { ServerCreateRequest } from '../../dto/servers';
import { buildNetworks, newAdminPassword, planBuilds, requestedDestination } from './server-build';
import {
  autoDiskConfig,
  checkCreateRequest,
  checkImageForFlavor,
  checkMetadataQuota,
  checkPersonalityQuota,
  instancesThatFit,
  ZeroDiskFlavorForbidden,
} from './server-checks';
import { wireImage } from './wire-image';

const RULE = 'os_compute_api:servers';

/** What POST /servers answers with. */
export interface CreatedServers {
  readonly reservationId: string;
  readonly uuids: readonly string[];
  readonly diskConfig: 'AUTO' | 'MANUAL';
  readonly securityGroups: readonly string[];
  readonly adminPass: string;
}

/**
 * POST /servers past validation: policy, then every lookup and check in
 * Nova's order (flavor, zone, requested host, image, keypair, image vs
 * flavor, per-request quotas, server group, instance quota with its fallback
 * to fewer instances, group member quota), then the build requests. A
 * failed check writes nothing.
 */
@Injectable()
export class ServerCreator {
  constructor(
    private readonly flavors: FlavorService,
    private readonly images: ImageService,
    private readonly keypairs: KeypairService,
    private readonly groups: ServerGroupService,
    private readonly quota: QuotaService,
    private readonly policy: PolicyEnforcer,
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    @Inject(SERVERS) private readonly servers: ServersPort,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    @Inject(NETWORK_API) private readonly network: NetworkApi,
    @Inject(NEUTRON_PORTS) private readonly neutron: { value: NeutronPortsPort | null },
  ) {}

  async create(ctx: RequestContext, asked: ServerCreateRequest): Promise<CreatedServers> {
    const projectId = ctx.projectId ?? '';
    const userId = ctx.userId ?? '';
    this.authorize(ctx, asked);
    const neutron = this.network.kind === 'neutron';
    checkCreateRequest(asked, { anySecurityGroup: neutron, ports: this.neutron.value !== null });
    const request = neutron
      ? { ...asked, securityGroups: await this.securityGroups(ctx, projectId, asked) }
      : asked;
    const destination = requestedDestination(request);

    // The lookups are independent: run them at once, then fail in Nova's order.
    const lookups = await Promise.allSettled([
      this.flavor(ctx, request.flavorId),
      this.image(ctx, request.imageId),
      request.keyName === null ? Promise.resolve(null) : this.keypair(userId, request.keyName),
      this.quota.userAndProjectLimits(projectId, userId),
      this.group(ctx, request.schedulerHints['group']),
    ] as const);
    const flavorRow = settled(lookups[0]);
    const [, image, keypair, limits, group] = lookups;
    await this.checkZone(ctx, request.availabilityZone, destination.forced);
    await this.checkHost(ctx, destination);
    const autoDisk = autoDiskConfig(request.diskConfig, settled(image));
    if (flavorRow.disabled) {
      // Nova names the flavor by its internal id here.
      throw new Invalid(`Flavor ${flavorRow.id} could not be found.`);
    }
    settled(keypair);
    const flavor = wireFlavor(flavorRow);
    const { zeroDisk } = checkImageForFlavor(settled(image), flavor);
    if (zeroDisk && !this.policy.allows(ctx, `${RULE}:create:zero_disk_flavor`)) {
      throw new ZeroDiskFlavorForbidden();
    }
    checkMetadataQuota(Object.keys(request.metadata).length, settled(limits).user.metadata_items);
    checkPersonalityQuota(request.personality, settled(limits).user);
    settled(group);
    const nics = await this.planNics(ctx, projectId, request);
    return this.finish(ctx, request, nics, {
      projectId,
      userId,
      flavor,
      image: settled(image),
      keypair: settled(keypair),
      limits: settled(limits),
      group: settled(group),
      autoDisk,
    });
  }

  private async finish(
    ctx: RequestContext,
    request: ServerCreateRequest,
    nics: NicPlan | null,
    found: {
      projectId: string;
      userId: string;
      flavor: WireFlavor;
      image: Image;
      keypair: Awaited<ReturnType<ServerCreator['keypair']>> | null;
      limits: UserAndProjectLimits;
      group: Awaited<ReturnType<ServerCreator['group']>>;
      autoDisk: boolean;
    },
  ): Promise<CreatedServers> {
    const { projectId, userId, flavor, image, keypair, limits, group, autoDisk } = found;
    const fits = await this.countThatFits(projectId, userId, flavor, request, limits);
    const count = nics ? Math.min(fits, nics.allowed) : fits;

    const { reservationId, builds } = planBuilds(
      request,
      { projectId, userId },
      {
        flavor,
        image: wireImage(image),
        keypair: keypair && { name: keypair.name, publicKey: keypair.public_key },
        group: group && { uuid: group.uuid, policy: group.policy ?? '', rules: { ...group.rules } },
      },
      {
        count,
        defaultScheduleZone: this.config.DEFAULT.default_schedule_zone ?? null,
        nameTemplate: this.config.DEFAULT.multi_instance_display_name_template,
        now: new Date(),
      },
    );
    const planned = nics
      ? builds.map((b) => ({ ...b, fields: { ...b.fields, networks: nics.nics } }))
      : builds;
    if (group) {
      // Members (within the server_group_members quota) before the build is cast:
      // the scheduler places them against each other.
      await this.groups.addMembers(
        group.uuid,
        builds.map((b) => b.fields.uuid),
      );
    }
    // Never stored: the guests learn it from their config drives, the user from this answer.
    const adminPass = request.adminPass ?? newAdminPassword();
    await this.servers.build(
      ctx,
      planned.map((b) => ({ ...b, fields: { ...b.fields, auto_disk_config: autoDisk } })),
      {
        admin_password: adminPass,
        ...(request.personality.length > 0 ? { injected_files: request.personality } : {}),
      },
    );
    return {
      reservationId,
      uuids: builds.map((b) => b.fields.uuid),
      diskConfig: autoDisk ? 'AUTO' : 'MANUAL',
      securityGroups: request.securityGroups,
      adminPass,
    };
  }

  /**
   * With Neutron, the NICs each instance gets (`auto` and nothing asked
   * resolved to the project's network) and how many instances the port quota
   * allows: fewer than min_count is Nova's 403.
   */
  private async planNics(
    ctx: RequestContext,
    projectId: string,
    request: ServerCreateRequest,
  ): Promise<NicPlan | null> {
    const neutron = this.neutron.value;
    if (!neutron) {
      return null;
    }
    const asked = request.networks;
    const nics = asked.kind === 'list' ? buildNetworks(asked) : asked.kind;
    const plan = await neutron.planner.plan(
      ctx,
      projectId,
      nics === 'auto' ? 'auto' : nics,
      request.maxCount,
    );
    if (plan.allowed < request.minCount || plan.allowed === 0) {
      throw new PortLimitExceeded();
    }
    return plan;
  }

  /**
   * With Neutron, the groups asked for by name or id, as the names the server
   * keeps: an unknown one is Nova's 400, an ambiguous name 409.
   */
  private async securityGroups(
    ctx: RequestContext,
    projectId: string,
    request: ServerCreateRequest,
  ): Promise<string[]> {
    const names: string[] = [];
    for (const asked of request.securityGroups) {
      try {
        names.push((await this.network.findSecurityGroup(ctx, projectId, asked)).name);
      } catch (err) {
        if (err instanceof SecurityGroupNotFound) {
          throw new Invalid(`Security group ${asked} not found.`);
        }
        throw err;
      }
    }
    return [...new Set(names)];
  }

  /** Nova's create policies, against the caller's project (and the zone asked for). */
  private authorize(ctx: RequestContext, request: ServerCreateRequest): void {
    const target = {
      project_id: ctx.projectId,
      user_id: ctx.userId,
      availability_zone: request.availabilityZone,
    };
    this.policy.authorize(ctx, `${RULE}:create`, target);
    if (request.forcedHost !== null || request.forcedNode !== null) {
      this.policy.authorize(ctx, `${RULE}:create:forced_host`, target);
    }
    if (request.host !== null || request.hypervisorHostname !== null) {
      this.policy.authorize(ctx, 'compute:servers:create:requested_destination', target);
    }
    if (request.networks.kind === 'list') {
      this.policy.authorize(ctx, `${RULE}:create:attach_network`, target);
    }
  }

  private async flavor(ctx: RequestContext, flavorId: string): Promise<FlavorWithSpecs> {
    try {
      return await this.flavors.get(ctx, flavorId);
    } catch (err) {
      // A bad flavorRef is the request's fault: 400, with the lookup's message.
      throw err instanceof FlavorNotFound ? new Invalid(err.message) : err;
    }
  }

  /** A zone asked for must have an enabled service (not checked with a forced host, as Nova). */
  private async checkZone(ctx: RequestContext, zone: string | null, forced: boolean) {
    if (zone === null || forced) {
      return;
    }
    const { rows } = await this.inventory.listServices(ctx);
    const available = new Set(
      rows.filter((r) => !r.service.disabled).flatMap((r) => r.zone.split(',')),
    );
    if (!available.has(zone)) {
      throw new Invalid('The requested availability zone is not available');
    }
  }

  /** A requested (or forced) host and node must exist: 400 ComputeHostNotFound otherwise. */
  private async checkHost(
    ctx: RequestContext,
    destination: { host: string | null; node: string | null; forced: boolean },
  ): Promise<void> {
    const { host, node, forced } = destination;
    if (forced) {
      return; // Nova leaves forced hosts to the scheduler.
    }
    if (host !== null) {
      try {
        await this.inventory.findServiceByHostAndBinary(ctx, host, 'nova-compute');
      } catch (err) {
        throw err instanceof NotFound
          ? new Invalid(`Compute host ${host} could not be found.`)
          : err;
      }
    }
    if (node !== null) {
      const { rows } = await this.inventory.searchNodes(ctx, node, { withServers: false });
      const found = rows.some(
        (r) => r.node.hypervisor_hostname === node && (host === null || r.node.host === host),
      );
      if (!found) {
        throw new Invalid(`Compute host ${host ?? node} could not be found.`);
      }
    }
  }

  private async image(ctx: RequestContext, imageId: string): Promise<Image> {
    try {
      return await this.images.get(ctx, imageId);
    } catch (err) {
      if (err instanceof ImageNotFound) {
        throw new Invalid('Can not find requested image');
      }
      throw err instanceof ImageNotAuthorized ? new Invalid(err.message) : err;
    }
  }

  private async keypair(userId: string, name: string) {
    try {
      return await this.keypairs.get(userId, name);
    } catch (err) {
      throw err instanceof KeypairNotFound ? new Invalid('Invalid key_name provided.') : err;
    }
  }

  /** The `group` scheduler hint's group (another project's is not found: 400). */
  private async group(ctx: RequestContext, hint: unknown) {
    if (typeof hint !== 'string' || hint === '') {
      return null;
    }
    try {
      return await this.groups.getByUuid(ctx, hint);
    } catch (err) {
      throw err instanceof ServerGroupNotFound ? new Invalid(err.message) : err;
    }
  }

  /**
   * max_count when it fits the project's (and user's) quota, else as many as
   * fit >= min_count. Usage is counted only where a limit can run out.
   */
  private async countThatFits(
    projectId: string,
    userId: string,
    flavor: WireFlavor,
    request: ServerCreateRequest,
    limits: UserAndProjectLimits,
  ): Promise<number> {
    if (!this.quota.enforced) {
      return request.maxCount;
    }
    const count = this.quota.scopesToCount(limits, ['instances', 'cores', 'ram']);
    const scopes = await Promise.all([
      ...(count.project
        ? [this.quota.instanceUsage(projectId).then((used) => ({ limits: limits.project, used }))]
        : []),
      ...(count.user
        ? [
            this.quota
              .instanceUsage(projectId, userId)
              .then((used) => ({ limits: limits.user, used })),
          ]
        : []),
    ]);
    return scopes.length === 0
      ? request.maxCount
      : instancesThatFit(flavor, request.minCount, request.maxCount, scopes);
  }
}

/** A flavor as it crosses the queues and is embedded in the instance. */
export function wireFlavor(f: FlavorWithSpecs): WireFlavor {
  return {
    id: f.id,
    flavorid: f.flavorid,
    name: f.name,
    vcpus: f.vcpus,
    memory_mb: f.memory_mb,
    root_gb: f.root_gb ?? 0,
    ephemeral_gb: f.ephemeral_gb ?? 0,
    swap: f.swap,
    extra_specs: f.specs,
  };
}

/** A settled lookup's value, or its error thrown (in the order the caller asks). */
function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') {
    throw result.reason;
  }
  return result.value;
}

import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Invalid, NotFound, type RequestContext } from '@nova/common';
import { checkActionAllowed, VmState } from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { HOST_INVENTORY, type HostInventoryPort } from '@nova/host-inventory';
import { ImageService } from '@nova/images';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService } from '@nova/quota';
import { SERVERS, type ServerRecord, type ServersPort, type UnshelveOptions } from '@nova/servers';
import type { ServerAction } from '../../dto/servers';
import type { ApiVersion } from '../../http/api-version';
import { baseUrl } from '../../http/links';
import { checkImageMetadataQuota } from '../images/image-metadata-quota';

type Of<K extends ServerAction['action']> = Extract<ServerAction, { action: K }>;

/** What an action answers: a status, headers and an optional body. */
export interface ImageActionAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Nova stops checking image metadata quota here (the image proxy API is gone from 2.36-2.39). */
const NO_IMAGE_META_QUOTA_FROM = '2.39';

/**
 * createImage, createBackup and unshelve past their policies: the checks only
 * the API can make (metadata quota, the requested zone and host, the cores
 * and RAM an offloaded server takes back), then the servers port; the answer
 * as the microversion wants it.
 */
@Injectable()
export class ServerImageActions {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    private readonly images: ImageService,
    private readonly quota: QuotaService,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /**
   * 202; until 2.44 the image's URL in `Location` (Glance's for createImage,
   * ours for a backup, and none for a backup kept zero times), from 2.45
   * `{"image_id": ...}` instead.
   */
  async createImage(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    server: ServerRecord,
    action: Of<'createImage' | 'createBackup'>,
  ): Promise<ImageActionAnswer> {
    if (!v.atLeast(NO_IMAGE_META_QUOTA_FROM)) {
      await checkImageMetadataQuota(this.quota, ctx, Object.keys(action.metadata).length);
    }
    const caller = { isAdmin: ctx.isAdmin };
    const imageId = await this.servers.createImage(
      ctx,
      server,
      action.action === 'createImage'
        ? { kind: 'snapshot', name: action.name, metadata: action.metadata }
        : {
            kind: 'backup',
            name: action.name,
            metadata: action.metadata,
            backupType: action.backupType,
            rotation: action.rotation,
          },
      caller,
    );
    if (v.atLeast('2.45')) {
      return { status: 202, body: { image_id: imageId } };
    }
    const ours = `${baseUrl(req, this.config.api.compute_link_prefix)}/v2.1/images/${imageId}`;
    if (action.action === 'createBackup') {
      return { status: 202, ...(action.rotation > 0 ? { headers: { Location: ours } } : {}) };
    }
    const glance = this.images.endpoint;
    return { status: 202, headers: { Location: glance ? `${glance}/images/${imageId}` : ours } };
  }

  /**
   * unshelve: the host's policy, the state (409), then for an offloaded server the cores
   * and RAM it takes back (its instance still counts; 403 over quota), then
   * the zone (400 unknown) and the host (admin policy, 400 unknown).
   */
  async unshelve(ctx: RequestContext, server: ServerRecord, action: Of<'unshelve'>): Promise<void> {
    if (action.host !== undefined) {
      this.policy.authorize(ctx, 'os_compute_api:os-shelve:unshelve_to_host', {
        project_id: server.project_id,
      });
    }
    checkActionAllowed('unshelve', server, ctx.isAdmin);
    if (server.vm_state === VmState.SHELVED_OFFLOADED) {
      await this.quota.check(server.project_id, server.user_id, {
        cores: server.flavor.vcpus,
        ram: server.flavor.memory_mb,
      });
    }
    const options: { availabilityZone?: string | null; host?: UnshelveOptions['host'] } = {};
    const offloaded = server.vm_state === VmState.SHELVED_OFFLOADED;
    if (action.availabilityZone !== undefined) {
      if (action.availabilityZone !== null && offloaded) {
        await this.checkZone(ctx, action.availabilityZone);
      }
      options.availabilityZone = action.availabilityZone;
    }
    if (action.host !== undefined && offloaded) {
      options.host = { name: action.host, zone: await this.hostZone(ctx, action.host) };
    } else if (action.host !== undefined) {
      options.host = { name: action.host, zone: '' };
    }
    await this.servers.unshelve(ctx, server, options, { isAdmin: ctx.isAdmin });
  }

  /** A zone with an enabled compute service (Nova's _validate_unshelve_az). */
  private async checkZone(ctx: RequestContext, zone: string): Promise<void> {
    const { rows } = await this.inventory.listServices(ctx);
    const available = new Set(
      rows
        .filter((r) => !r.service.disabled && r.service.binary === 'nova-compute')
        .flatMap((r) => r.zone.split(',')),
    );
    if (!available.has(zone)) {
      throw new Invalid('The requested availability zone is not available');
    }
  }

  /** The zone of a compute host; 400 ComputeHostNotFound when there is none of that name. */
  private async hostZone(ctx: RequestContext, host: string): Promise<string> {
    try {
      await this.inventory.findServiceByHostAndBinary(ctx, host, 'nova-compute');
    } catch (err) {
      throw err instanceof NotFound ? new Invalid(`Compute host ${host} could not be found.`) : err;
    }
    const { rows } = await this.inventory.listServices(ctx);
    const row = rows.find((r) => r.service.host === host && r.service.binary === 'nova-compute');
    return row?.zone ?? this.config.DEFAULT.default_availability_zone;
  }
}

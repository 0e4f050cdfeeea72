import { Inject, Injectable } from '@nestjs/common';
import { Invalid, type RequestContext } from '@nova/common';
import { ImageNotAuthorized, ImageNotFound, ImageService, type Image } from '@nova/images';
import { KeypairNotFound, KeypairService } from '@nova/keypairs';
import { PolicyEnforcer } from '@nova/policy';
import { QuotaService } from '@nova/quota';
import { SERVERS, type RebuildPlan, type ServerRecord, type ServersPort } from '@nova/servers';
import type { RebuildRequest } from '../../dto/servers';
import { newAdminPassword } from './server-build';
import { wireImage } from './wire-image';
import {
  autoDiskConfig,
  checkImageForFlavor,
  checkMetadataQuota,
  checkPersonalityQuota,
} from './server-checks';

const RULE = 'os_compute_api:servers:rebuild';

export interface RebuiltServer {
  readonly server: ServerRecord;
  readonly adminPass: string;
}

/**
 * The rebuild action past validation and its policy: the image (found, active, fit
 * for the server's flavor), the keypair (2.54), the per-request quotas, then
 * the port's rebuild. Nothing changes when a check fails.
 */
@Injectable()
export class ServerRebuilder {
  constructor(
    private readonly images: ImageService,
    private readonly keypairs: KeypairService,
    private readonly quota: QuotaService,
    private readonly policy: PolicyEnforcer,
    @Inject(SERVERS) private readonly servers: ServersPort,
  ) {}

  async rebuild(
    ctx: RequestContext,
    server: ServerRecord,
    request: RebuildRequest,
  ): Promise<RebuiltServer> {
    if (request.trustedImageCertificates) {
      this.policy.authorize(ctx, `${RULE}:trusted_certs`, {
        project_id: server.project_id,
        user_id: server.user_id,
      });
    }
    const image = await this.image(ctx, request.imageId);
    checkImageForFlavor(image, server.flavor);
    const autoDisk =
      request.diskConfig === undefined ? undefined : autoDiskConfig(request.diskConfig, image);
    const limits = await this.quota.userLimits(server.project_id, server.user_id);
    if (request.metadata !== undefined) {
      checkMetadataQuota(Object.keys(request.metadata).length, limits.metadata_items);
    }
    checkPersonalityQuota(request.personality, limits);
    const key =
      request.keyName === undefined ? undefined : await this.keypair(server, request.keyName);
    const adminPass = request.adminPass ?? newAdminPassword();
    const plan: RebuildPlan = {
      image: wireImage(image),
      changes: {
        image_ref: image.id,
        ...(request.name !== undefined ? { display_name: request.name } : {}),
        ...(request.description !== undefined ? { display_description: request.description } : {}),
        ...(request.accessIPv4 !== undefined ? { access_ip_v4: request.accessIPv4 } : {}),
        ...(request.accessIPv6 !== undefined ? { access_ip_v6: request.accessIPv6 } : {}),
        ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
        ...(autoDisk !== undefined ? { auto_disk_config: autoDisk } : {}),
        ...(key !== undefined
          ? { key_name: key?.name ?? null, key_data: key?.publicKey ?? null }
          : {}),
        ...(request.userData !== undefined ? { user_data: request.userData } : {}),
      },
      ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
      adminPassword: adminPass,
      preserveEphemeral: request.preserveEphemeral,
    };
    const rebuilt = await this.servers.rebuild(ctx, server, plan, { isAdmin: ctx.isAdmin });
    return { server: rebuilt, adminPass };
  }

  private async image(ctx: RequestContext, id: string): Promise<Image> {
    try {
      return await this.images.get(ctx, id);
    } catch (err) {
      if (err instanceof ImageNotFound) {
        throw new Invalid('Cannot find requested image');
      }
      throw err instanceof ImageNotAuthorized ? new Invalid(err.message) : err;
    }
  }

  /** 2.54: the server owner's keypair of that name; null drops the key. */
  private async keypair(
    server: ServerRecord,
    name: string | null,
  ): Promise<{ name: string; publicKey: string } | null> {
    if (name === null) {
      return null;
    }
    try {
      const keypair = await this.keypairs.get(server.user_id, name);
      return { name: keypair.name, publicKey: keypair.public_key ?? '' };
    } catch (err) {
      throw err instanceof KeypairNotFound ? new Invalid('Invalid key_name provided.') : err;
    }
  }
}

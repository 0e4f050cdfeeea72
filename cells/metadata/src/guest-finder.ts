import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ApiDatabase } from '@nova/api-db';
import { CellRouter, type CellContext } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { adminContext, SingleFlight } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import type { WireVif } from '@nova/compute-rpc';
import { idFromInstanceName, type GuestInstance } from '@nova/metadata';
import { withFlatSubnet } from '@nova/network';
import type { ServerRecord } from '@nova/servers';
import type { FoundGuest, GuestSource } from './metadata-handler';

const log = getLogger('metadata');

/** Instances (and addresses) remembered at once. */
const CACHE_ENTRIES = 10_000;

/**
 * Finds the guest behind a request in the API database (its fixed IP, then its
 * instance mapping) and reads it from its cell's database, nothing else: the
 * metadata service is an API-level process. What it read is kept for
 * `[api] metadata_cache_expiration` seconds (Nova's cache; 0: none).
 */
@Injectable()
export class GuestFinder implements GuestSource {
  private readonly guests?: LRUCache<string, FoundGuest>;
  private readonly addresses?: LRUCache<string, string>;
  private readonly loading = new SingleFlight<string, FoundGuest | null>();

  constructor(
    private readonly api: ApiDatabase,
    private readonly router: CellRouter,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {
    const ttl = config.api.metadata_cache_expiration * 1000;
    if (ttl > 0) {
      this.guests = new LRUCache({ max: CACHE_ENTRIES, ttl });
      this.addresses = new LRUCache({ max: CACHE_ENTRIES, ttl });
    }
  }

  /** The instance holding this fixed IP: one indexed query, then its mapping. */
  async byAddress(address: string): Promise<FoundGuest | null> {
    let uuid = this.addresses?.get(address);
    if (uuid === undefined) {
      const rows = await (
        await this.api.get()
      ).query<Array<{ instance_uuid: string | null }>>(
        'SELECT instance_uuid FROM fixed_ips WHERE address = ?',
        [address],
      );
      const owners = [...new Set(rows.map((r) => r.instance_uuid).filter((u) => u !== null))];
      if (owners.length !== 1) {
        if (owners.length > 1) {
          log.warn({ address, instances: owners }, 'address held by several instances');
        }
        return null;
      }
      uuid = owners[0];
      this.addresses?.set(address, uuid);
    }
    return this.byInstanceId(uuid);
  }

  async byInstanceId(uuid: string): Promise<FoundGuest | null> {
    const cached = this.guests?.get(uuid);
    if (cached) {
      return cached;
    }
    return this.loading.run(uuid, async () => {
      const found = await this.load(uuid);
      if (found) {
        this.guests?.set(uuid, found);
      }
      return found;
    });
  }

  async storePassword(uuid: string, password: string): Promise<'stored' | 'exists' | 'gone'> {
    const cctx = await this.cellOf(uuid);
    if (!cctx) {
      return 'gone';
    }
    const result = await (await cellDb(cctx)).writer.setPasswordOnce(uuid, password);
    this.guests?.delete(uuid); // the next GET shows it
    return result;
  }

  private async cellOf(uuid: string): Promise<CellContext | null> {
    const mappings = this.router.mappings;
    let location = await mappings.lookup(uuid);
    if (location && !location.cell) {
      await mappings.forget(uuid); // built since its mapping was cached
      location = await mappings.lookup(uuid);
    }
    if (!location?.cell || location.queuedForDelete) {
      return null;
    }
    return this.router.targetCell(adminContext(), location.cell);
  }

  private async load(uuid: string): Promise<FoundGuest | null> {
    const cctx = await this.cellOf(uuid);
    if (!cctx) {
      return null;
    }
    const db = await cellDb(cctx);
    const [server, password, nics] = await Promise.all([
      db.servers.get(uuid),
      db.servers.password(uuid),
      db.servers.networkInfo(uuid),
    ]);
    return server ? { guest: this.guestOf(server, nics), password } : null;
  }

  private guestOf(server: ServerRecord, nics: readonly WireVif[]): GuestInstance {
    const flat = this.config.flat_network;
    return {
      uuid: server.uuid,
      id: idFromInstanceName(server.instance_name),
      name: server.display_name ?? '',
      hostname: server.hostname ?? '',
      availabilityZone: server.availability_zone,
      projectId: server.project_id,
      launchIndex: server.launch_index ?? 0,
      reservationId: server.reservation_id ?? '',
      keyName: server.key_name,
      keyData: server.key_data,
      userData: server.user_data,
      metadata: server.metadata,
      securityGroups: server.security_groups,
      flavorName: server.flavor.name,
      imageId: server.image_ref ?? '',
      rootDeviceName: server.root_device_name,
      ephemeralGb: server.flavor.ephemeral_gb,
      vifs: nics.map((nic) => withFlatSubnet(nic, flat.name, flat.cidr)),
    };
  }
}

/**
 * What bench:scale writes straight into a cell and the API database: simulated
 * compute hosts (service, compute node, host mapping, resource provider and
 * inventory, as a compute's first report and discover_hosts leave them) and
 * ACTIVE instances on them (the cell's instance rows through InstanceWriter,
 * the instance mappings through InstanceMappingRepository, a flat address each
 * in fixed_ips, and placement allocations with the rows PlacementService.claim
 * writes, inserted in batches). The simulated hosts are disabled services: no
 * process serves them, so the scheduler reads them and never picks them.
 */
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { In } from 'typeorm';
import {
  Allocation,
  ApiDatabase,
  Consumer,
  Flavor,
  HostMapping,
  InstanceMappingRepository,
  ResourceClass,
  ResourceProvider,
} from '@nova/api-db';
import { CacheModule } from '@nova/cache';
import { CellRouter, CellRouterModule } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import type { WireFlavor, WireVif } from '@nova/compute-rpc';
import { ConfigModule, loadConfig } from '@nova/config';
import { CELL_SCHEMA, cellDb } from '@nova/cells/db';
import { PlacementModule, PlacementService } from '@nova/placement';
import type { Sections } from '../../lib/stack';
import { chunks, insertComputeHosts, insertProviders } from '../simulated-hosts';

/** Resources of every simulated host (a large hypervisor). */
const HOST = { vcpus: 64, memory_mb: 262_144, local_gb: 2000 };
const INVENTORY = {
  VCPU: { total: HOST.vcpus, allocation_ratio: 16 },
  MEMORY_MB: { total: HOST.memory_mb, reserved: 512, allocation_ratio: 1.5 },
  DISK_GB: { total: HOST.local_gb, allocation_ratio: 1 },
};
/** Seeded addresses start here (10.128.0.0), away from where most random ones land. */
const ADDRESS_BASE = (10 << 24) + (128 << 16);

export interface SeedCell {
  readonly name: string;
  /** Simulated hosts: `<cell>-sim-1` ... */
  readonly hosts: number;
  readonly instances: number;
  /** The first seeded address is ADDRESS_BASE + this (instances seeded before, region-wide). */
  readonly addressOffset: number;
}

export interface SeedOptions {
  readonly flavorId: string;
  readonly imageRef: string;
  /** Instances go to these projects in turn. */
  readonly projects: readonly string[];
  /** Instance writers in flight. */
  readonly concurrency: number;
  readonly networkName: string;
}

function ip(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        await fn(items[next++]);
      }
    }),
  );
}

/** The project's own cell router, API database and placement, in this process. */
export class Seeder {
  private constructor(
    private readonly app: INestApplicationContext,
    private readonly options: SeedOptions,
  ) {}

  static async open(sections: Sections, options: SeedOptions): Promise<Seeder> {
    const config = loadConfig({
      files: [],
      env: {},
      overrides: {
        ...sections,
        api_database: { ...sections['api_database'], max_pool_size: '8' },
        database: { ...sections['database'], max_pool_size: String(options.concurrency) },
      },
    });
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        CacheModule,
        CellRouterModule.register(CELL_SCHEMA),
        PlacementModule,
      ],
    })
    class SeedModule {}
    const app = await NestFactory.createApplicationContext(SeedModule, { logger: false });
    return new Seeder(app, options);
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private async flavor(): Promise<WireFlavor> {
    const ds = await this.app.get(ApiDatabase).get();
    const f = await ds.getRepository(Flavor).findOneByOrFail({ flavorid: this.options.flavorId });
    return {
      id: f.id,
      flavorid: f.flavorid,
      name: f.name,
      vcpus: f.vcpus,
      memory_mb: f.memory_mb,
      root_gb: f.root_gb ?? 0,
      ephemeral_gb: f.ephemeral_gb ?? 0,
      swap: f.swap,
      extra_specs: {},
    };
  }

  /** Hosts and instances of one cell; returns the seeded instances' uuids by project. */
  async seed(cell: SeedCell): Promise<Array<{ uuid: string; project: string }>> {
    const router = this.app.get(CellRouter);
    const mapping = (await router.cells()).find((c) => c.name === cell.name);
    if (!mapping) {
      throw new Error(`no cell mapping named ${cell.name}`);
    }
    const flavor = await this.flavor();
    const hosts = Array.from({ length: cell.hosts }, (_, i) => `${cell.name}-sim-${i + 1}`);
    if (cell.instances > 0 && hosts.length === 0) {
      throw new Error(`${cell.name}: instances need simulated hosts to live on`);
    }
    const instances = Array.from({ length: cell.instances }, (_, i) => ({
      uuid: randomUUID(),
      host: hosts[i % hosts.length],
      project: this.options.projects[i % this.options.projects.length],
    }));
    const perHost = new Map<string, number>();
    for (const i of instances) {
      perHost.set(i.host, (perHost.get(i.host) ?? 0) + 1);
    }
    const nodes = await this.seedHosts(mapping.id, hosts, perHost, flavor);
    await insertProviders(
      this.app.get(PlacementService),
      await this.app.get(ApiDatabase).get(),
      nodes,
      INVENTORY,
    );
    await this.seedInstances(mapping, instances, flavor, nodes, cell.addressOffset);
    return instances.map((i) => ({ uuid: i.uuid, project: i.project }));
  }

  /** Services (disabled: nobody serves them), compute nodes and host mappings. */
  private async seedHosts(
    cellId: number,
    hosts: readonly string[],
    perHost: ReadonlyMap<string, number>,
    flavor: WireFlavor,
  ): Promise<Map<string, string>> {
    const router = this.app.get(CellRouter);
    const cell = (await router.cells()).find((c) => c.id === cellId)!;
    const ds = await router.targetCell(adminContext(), cell).cell.db();
    const nodes = await insertComputeHosts(ds, hosts, {
      resources: HOST,
      disabledReason: 'bench:scale simulated host (no nova-compute process)',
      usage: (host) => {
        const n = perHost.get(host) ?? 0;
        return {
          vcpus: n * flavor.vcpus,
          memory_mb: n * flavor.memory_mb,
          local_gb: n * flavor.root_gb,
          vms: n,
        };
      },
    });
    const apiDs = await this.app.get(ApiDatabase).get();
    const now = new Date();
    for (const part of chunks(hosts)) {
      await apiDs
        .getRepository(HostMapping)
        .insert(part.map((host) => ({ host, cell_id: cellId, created_at: now })));
    }
    return nodes;
  }

  private async classIds(): Promise<Map<string, number>> {
    const ds = await this.app.get(ApiDatabase).get();
    return new Map(
      (await ds.getRepository(ResourceClass).find()).map((c) => [c.name, c.id] as const),
    );
  }

  private async providerIds(uuids: readonly string[]): Promise<Map<string, number>> {
    const ds = await this.app.get(ApiDatabase).get();
    return new Map(
      (await ds.getRepository(ResourceProvider).findBy({ uuid: In([...uuids]) })).map(
        (p) => [p.uuid, p.id] as const,
      ),
    );
  }

  /**
   * `count` addresses from `from` on that no server holds yet: booted servers
   * took random ones from the same /8, and may have landed in the seeded range.
   */
  private async freeAddresses(
    from: number,
    count: number,
  ): Promise<{ addresses: string[]; next: number }> {
    const ds = await this.app.get(ApiDatabase).get();
    const addresses: string[] = [];
    let next = from;
    while (addresses.length < count) {
      const window = Array.from({ length: count - addresses.length + 16 }, (_, k) => ip(next + k));
      const taken = new Set(
        (
          await ds.query<Array<{ address: string }>>(
            `SELECT address FROM fixed_ips WHERE network = ? AND address IN (${window.map(() => '?').join(', ')})`,
            [this.options.networkName, ...window],
          )
        ).map((r) => r.address),
      );
      for (const candidate of window) {
        if (addresses.length === count) {
          break;
        }
        next++;
        if (!taken.has(candidate)) {
          addresses.push(candidate);
        }
      }
    }
    return { addresses, next };
  }

  /**
   * ACTIVE instances: the cell rows (InstanceWriter.create, then the compute's
   * running power state and launched_at), the mappings, an address each and
   * the allocations.
   */
  private async seedInstances(
    cell: { id: number },
    instances: ReadonlyArray<{ uuid: string; host: string; project: string }>,
    flavor: WireFlavor,
    nodes: ReadonlyMap<string, string>,
    addressOffset: number,
  ): Promise<void> {
    let address = ADDRESS_BASE + addressOffset;
    const router = this.app.get(CellRouter);
    const target = (await router.cells()).find((c) => c.id === cell.id)!;
    const db = await cellDb(router.targetCell(adminContext(), target));
    const apiDs = await this.app.get(ApiDatabase).get();
    const mappings = this.app.get(InstanceMappingRepository);
    const classes = await this.classIds();
    const providers = await this.providerIds([...nodes.values()]);
    const cidr = '10.0.0.0/8';
    for (const part of chunks(instances)) {
      const free = await this.freeAddresses(address, part.length);
      address = free.next;
      const addressed = part.map((i, n) => ({
        ...i,
        vif: {
          network: this.options.networkName,
          address: free.addresses[n],
          mac: `fa:16:3e:${[0, 0, 0]
            .map(() =>
              Math.floor(Math.random() * 256)
                .toString(16)
                .padStart(2, '0'),
            )
            .join(':')}`,
          id: randomUUID(),
          cidr,
          gateway: '10.0.0.1',
        } satisfies WireVif,
      }));
      const now = new Date();
      await apiDs.query(
        `INSERT INTO fixed_ips (network, address, mac, instance_uuid, created_at) VALUES ${addressed
          .map(() => '(?, ?, ?, ?, ?)')
          .join(', ')}`,
        addressed.flatMap((i) => [i.vif.network, i.vif.address, i.vif.mac, i.uuid, now]),
      );
      await pool(addressed, this.options.concurrency, async (i) => {
        const launched = new Date();
        await db.writer.create(
          {
            uuid: i.uuid,
            display_name: `seed-${i.uuid.slice(0, 8)}`,
            display_description: null,
            project_id: i.project,
            user_id: i.project,
            image_ref: this.options.imageRef,
            flavor,
            key_name: null,
            key_data: null,
            user_data: null,
            hostname: `seed-${i.uuid.slice(0, 8)}`,
            availability_zone: null,
            access_ip_v4: null,
            access_ip_v6: null,
            config_drive: null,
            launch_index: 0,
            reservation_id: `r-${i.uuid.slice(0, 8)}`,
            metadata: {},
            tags: [],
            networks: 'auto',
            created_at: launched.toISOString(),
          },
          {
            host: i.host,
            node: i.host,
            availability_zone: 'nova',
            vm_state: 'active',
            task_state: null,
          },
          [i.vif],
        );
        await db.writer.compareAndSwap(i.uuid, [null], { power_state: 1, launched_at: launched });
      });
      await mappings.createMissing(
        part.map((i) => ({
          instance_uuid: i.uuid,
          cell_id: cell.id,
          project_id: i.project,
          user_id: i.project,
        })),
      );
      await apiDs.getRepository(Consumer).insert(
        part.map((i) => ({
          uuid: i.uuid,
          project_id: i.project,
          user_id: i.project,
          generation: 1,
          created_at: now,
          updated_at: null,
        })),
      );
      await apiDs.getRepository(Allocation).insert(
        part.flatMap((i) => {
          const rp = providers.get(nodes.get(i.host)!)!;
          return (
            [
              ['VCPU', flavor.vcpus],
              ['MEMORY_MB', flavor.memory_mb],
              ['DISK_GB', flavor.root_gb],
            ] as const
          )
            .filter(([, used]) => used > 0)
            .map(([rc, used]) => ({
              resource_provider_id: rp,
              consumer_id: i.uuid,
              resource_class_id: classes.get(rc)!,
              used,
              created_at: now,
              updated_at: null,
            }));
        }),
      );
      // A claim bumps its provider's generation: so do these, once per batch.
      const touched = [...new Set(part.map((i) => providers.get(nodes.get(i.host)!)!))];
      await apiDs.query(
        `UPDATE resource_providers SET generation = generation + 1, updated_at = ? WHERE id IN (${touched
          .map(() => '?')
          .join(', ')})`,
        [now, ...touched],
      );
    }
  }
}

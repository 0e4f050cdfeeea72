import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import {
  Aggregate,
  AggregateHost,
  AggregateMetadata,
  ApiDatabase,
  CellMappingRepository,
  HostMappingRepository,
} from '@nova/api-db';
import { CellRouter, type Cell } from '@nova/cell-router';
import { ComputeNode, Instance, InstanceExtra, Service } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { sqlTimestamp } from '@nova/database';
import { dispatcher, type RpcConsumer, type RpcMethod } from '@nova/rpc';
import type { ApiClient } from './api-client';
import { freePort } from './redis';

/** Direct access to the databases behind a running API app, for seeding host rows. */
export class HostSeed {
  constructor(private readonly api: ApiClient) {}

  get router(): CellRouter {
    return this.api.app.get(CellRouter);
  }

  async cell(name: string): Promise<Cell> {
    const cell = (await this.router.cells()).find((c) => c.name === name);
    if (!cell) {
      throw new Error(`no cell ${name}`);
    }
    return cell;
  }

  private async cellDs(cellName: string) {
    return this.router.targetCell(adminContext(), await this.cell(cellName)).cell.db();
  }

  /** A service row; heartbeat now unless `last_seen_up` says otherwise. */
  async service(cellName: string, fields: Partial<Service> & { host: string; binary: string }) {
    const repo = (await this.cellDs(cellName)).getRepository(Service);
    return repo.save({
      uuid: randomUUID(),
      topic: fields.binary === 'nova-compute' ? 'compute' : fields.binary.replace('nova-', ''),
      report_count: 1,
      disabled: false,
      disabled_reason: null,
      forced_down: false,
      last_seen_up: new Date(),
      created_at: new Date(Date.now() - 3600_000),
      updated_at: new Date(Date.UTC(2026, 10, 21, 20, 7, 17)),
      deleted: 0,
      ...fields,
    });
  }

  /** A compute node for `host` (hypervisor hostname defaults to the host). */
  async node(cellName: string, fields: Partial<ComputeNode> & { host: string }) {
    const repo = (await this.cellDs(cellName)).getRepository(ComputeNode);
    return repo.save({
      uuid: randomUUID(),
      hypervisor_hostname: fields.host,
      vcpus: 1000,
      memory_mb: 800000,
      local_gb: 600000,
      vcpus_used: 1,
      memory_mb_used: 1024,
      local_gb_used: 1,
      hypervisor_type: 'fake',
      hypervisor_version: '1000',
      free_ram_mb: 798976,
      free_disk_gb: 599999,
      current_workload: 0,
      running_vms: 1,
      disk_available_least: 0,
      host_ip: '127.0.0.1',
      cpu_info: null,
      mapped: 1,
      deleted: 0,
      ...fields,
    });
  }

  /** A nova-compute service and its node, and (optionally) its host mapping. */
  async compute(
    cellName: string,
    host: string,
    service: Partial<Service> = {},
    options: { map?: boolean } = {},
  ) {
    const svc = await this.service(cellName, { ...service, host, binary: 'nova-compute' });
    const node = await this.node(cellName, { host, service_id: svc.id });
    if (options.map !== false) {
      await this.api.app.get(HostMappingRepository).create(host, (await this.cell(cellName)).id);
    }
    return { service: svc, node };
  }

  /**
   * Answer `compute.<host>` on the cell's queue with these RPC methods, as that
   * host's nova-compute would (seeded hosts have no process behind them).
   */
  async answerAsCompute(
    cellName: string,
    host: string,
    methods: Record<string, RpcMethod>,
  ): Promise<RpcConsumer> {
    const mq = await this.router.targetCell(adminContext(), await this.cell(cellName)).cell.mq();
    return mq.serve({ topic: 'compute', server: host }, dispatcher(methods));
  }

  async instance(cellName: string, fields: Partial<Instance> = {}) {
    const repo = (await this.cellDs(cellName)).getRepository(Instance);
    const saved = await repo.save({
      uuid: randomUUID(),
      project_id: 'demo',
      user_id: 'demo',
      vm_state: 'active',
      created_at: new Date(),
      deleted: 0,
      ...fields,
    });
    return saved;
  }

  /** The instance's embedded flavor (instance_extra), as a build writes it. */
  async instanceFlavor(cellName: string, uuid: string, flavor: Record<string, unknown>) {
    const repo = (await this.cellDs(cellName)).getRepository(InstanceExtra);
    await repo.save({
      instance_uuid: uuid,
      flavor: JSON.stringify({ cur: flavor }),
      created_at: new Date(),
      deleted: 0,
    });
  }

  async softDeleteInstance(cellName: string, id: number): Promise<void> {
    const repo = (await this.cellDs(cellName)).getRepository(Instance);
    await repo.update({ id }, { deleted: id, deleted_at: new Date() });
  }

  /**
   * A migrations row as a move would leave it (nothing writes them through the
   * API until moves exist); returns its uuid.
   */
  async migration(cellName: string, fields: Record<string, unknown>): Promise<string> {
    const row: Record<string, unknown> = {
      uuid: randomUUID(),
      status: 'finished',
      migration_type: 'migration',
      hidden: false,
      cross_cell_move: false,
      user_id: 'demo',
      project_id: 'demo',
      created_at: new Date(),
      updated_at: new Date(),
      deleted: 0,
      ...fields,
    };
    const ds = await this.cellDs(cellName);
    const columns = Object.keys(row);
    await ds.query(
      `INSERT INTO migrations (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      Object.values(row).map((v) => (v instanceof Date ? sqlTimestamp(ds, v) : v)),
    );
    return row['uuid'] as string;
  }

  /** Rows of a cell table, soft-deleted ones included. */
  async rows<T extends object>(cellName: string, entity: new () => T): Promise<T[]> {
    return (await this.cellDs(cellName)).getRepository(entity).find();
  }

  /** An aggregate that is an availability zone, holding `hosts`. */
  async zone(name: string, hosts: string[]): Promise<void> {
    const ds = await this.api.app.get(ApiDatabase).get();
    const aggregate = await ds
      .getRepository(Aggregate)
      .save({ uuid: randomUUID(), name: `agg-${name}`, created_at: new Date() });
    await ds.getRepository(AggregateMetadata).save({
      aggregate_id: aggregate.id,
      key: 'availability_zone',
      value: name,
      created_at: new Date(),
    });
    for (const host of hosts) {
      await ds
        .getRepository(AggregateHost)
        .save({ aggregate_id: aggregate.id, host, created_at: new Date() });
    }
  }

  /**
   * Map two dead cells: one whose database port refuses connections and one
   * behind a TCP server that accepts and never answers; `hosts` are host mappings
   * of the silent one. Returns a closer for the silent server.
   */
  async deadCells(hosts: string[]): Promise<{ close: () => void; silent: Cell; refused: Cell }> {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const mappings = this.api.app.get(CellMappingRepository);
    const silent = await mappings.create({
      name: 'silent',
      transport_url: 'none:///',
      database_connection: `mysql://root@127.0.0.1:${port}/x`,
    });
    await mappings.create({
      name: 'refused',
      transport_url: 'none:///',
      database_connection: `mysql://root@127.0.0.1:${await freePort()}/x`,
    });
    for (const host of hosts) {
      await this.api.app.get(HostMappingRepository).create(host, silent.id);
    }
    await this.router.registry.refresh();
    return {
      close: () => {
        sockets.forEach((s) => s.destroy());
        server.close();
      },
      silent: await this.cell('silent'),
      refused: await this.cell('refused'),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { CellMappingRepository, HostMappingRepository, type CellMapping } from '@nova/api-db';
import { CellRouter } from '@nova/cell-router';
import { CELL_ENTITIES, ComputeNodeRepository } from '@nova/cells/db';
import { Invalid } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { closeDataSource, openDataSource } from '@nova/database';
import { CellMappingService } from './cell-mapping.service';
import { InstanceMappingService } from './instance-mapping.service';
import { SchemaSyncService } from './schema-sync.service';

export type SimpleSetupOutcome =
  | {
      readonly kind: 'done';
      readonly cell0Existed: boolean;
      readonly cell0SyncError?: unknown;
      readonly allMapped: boolean;
    }
  | {
      readonly kind: 'no_hosts';
      readonly cell0Existed: boolean;
      readonly cell0SyncError?: unknown;
    };

/**
 * `cell_v2 simple_cell_setup`: for a single-cell deployment, map cell0 and sync
 * it, then map the configured database and queue as a cell with its compute
 * hosts, and map its instances.
 */
@Injectable()
export class SimpleCellSetupService {
  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly cellMappings: CellMappingService,
    private readonly schema: SchemaSyncService,
    private readonly instances: InstanceMappingService,
    private readonly cells: CellMappingRepository,
    private readonly hosts: HostMappingRepository,
    private readonly router: CellRouter,
  ) {}

  async run(transportUrl: string): Promise<SimpleSetupOutcome> {
    const cell0 = await this.cellMappings.mapCell0();
    const cell0Existed = !cell0.created;
    const sync = await this.schema.syncCells({ localCell: false });
    const cell0SyncError = sync.cell0Error;

    const local = this.config.database.connection;
    if (!local) {
      throw new Invalid('[database] connection is not set in the configuration');
    }
    const nodes = await this.localComputeNodes(local);
    if (nodes.length === 0) {
      return { kind: 'no_hosts', cell0Existed, cell0SyncError };
    }
    const unmapped: string[] = [];
    let cell: CellMapping | undefined;
    for (const host of new Set(nodes.map((n) => n.host ?? ''))) {
      const mapping = await this.hosts.findByHost(host);
      if (mapping) {
        cell = mapping.cell;
      } else {
        unmapped.push(host);
      }
    }
    cell ??= await this.cells.create({
      name: null,
      transport_url: transportUrl,
      database_connection: local,
    });
    for (const host of unmapped) {
      await this.hosts.create(host, cell.id);
    }
    await this.router.registry.announceChange();
    await this.instances.mapInstances(cell.uuid, { reset: false });
    return { kind: 'done', cell0Existed, cell0SyncError, allMapped: unmapped.length === 0 };
  }

  private async localComputeNodes(url: string) {
    const ds = await openDataSource(url, {
      entities: CELL_ENTITIES,
      poolSize: 1,
      connectTimeoutMs: this.config.cells.connect_timeout * 1000,
      idleTimeoutMs: 1000,
    });
    try {
      return await new ComputeNodeRepository(ds).listLive();
    } finally {
      await closeDataSource(ds);
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { CellMappingRepository, type CellMapping } from '@nova/api-db';
import { FlavorRepository, FlavorService } from '@nova/flavors';
import { CellRouter, isCell0 } from '@nova/cell-router';
import { describeError, Invalid, urlScheme } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { deriveCell0Url, parseSqlUrl } from '@nova/database';
import { getLogger } from '@nova/logging';
import { apiTransportUrl } from '@nova/rpc';
import { CellMappingService } from './cell-mapping.service';
import { SchemaSyncService } from './schema-sync.service';

const log = getLogger('bootstrap');

/**
 * The queue of the cell nova-all creates: in-process, and not the API level's
 * (`[DEFAULT] transport_url`), because the super conductor and the cell
 * conductor both serve the topic `conductor`.
 */
export const CELL1_TRANSPORT_URL = 'inproc://cell1';

/** id, name, RAM (MiB), disk (GiB), vCPUs: Nova's historical m1.* set. */
const CLASSIC_FLAVORS: ReadonlyArray<[string, string, number, number, number]> = [
  ['1', 'm1.tiny', 512, 1, 1],
  ['2', 'm1.small', 2048, 20, 1],
  ['3', 'm1.medium', 4096, 40, 2],
  ['4', 'm1.large', 8192, 80, 4],
  ['5', 'm1.xlarge', 16384, 160, 8],
];

/**
 * What `nova-all` does on start so a fresh machine needs no set-up: create and
 * migrate the API database, map cell0, create cell1 from the local config when no
 * cell exists yet, migrate every cell, and create the classic flavors when there
 * are none. Idempotent: later starts only migrate.
 */
@Injectable()
export class EmbeddedBootstrapService {
  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly schema: SchemaSyncService,
    private readonly cellMappings: CellMappingService,
    private readonly cells: CellMappingRepository,
    private readonly router: CellRouter,
    private readonly flavors: FlavorService,
    private readonly flavorRepo: FlavorRepository,
  ) {}

  async run(): Promise<void> {
    const api = await this.schema.syncApi();
    if (api.from !== api.to) {
      log.info(api, 'API database schema migrated');
    }
    const local = this.config.database.connection;
    if (!local) {
      throw new Invalid('[database] connection is not set: nova-all needs it for cell1');
    }
    const cell0 = await this.cellMappings.mapCell0(this.cell0Url(local));
    if (cell0.created) {
      log.info({ uuid: cell0.cell.uuid }, 'mapped cell0');
    }
    const regular = (await this.cells.list()).filter((c) => !isCell0(c));
    if (regular.length === 0) {
      const created = await this.cellMappings.create({
        name: 'cell1',
        transportUrl: CELL1_TRANSPORT_URL,
        databaseConnection: local,
        disabled: false,
      });
      if (created.kind !== 'created') {
        throw new Invalid(`could not create cell1: ${created.kind}`);
      }
      log.info({ uuid: created.cell.uuid }, 'created cell1');
    }
    await this.separateCellQueues(regular);
    const sync = await this.schema.syncCells({ localCell: false });
    const failedCell = sync.results.find((r) => !r.ok);
    const error = sync.cell0Error ?? (failedCell && !failedCell.ok ? failedCell.error : undefined);
    if (error !== undefined) {
      throw new Invalid(`could not migrate the cell databases: ${describeError(error)}`);
    }
    await this.router.registry.refresh();
    await this.seedFlavors();
  }

  /**
   * A cell sharing the API level's in-process queue (cell1 of state directories
   * made before cells had their own) moves to `inproc://<cell name>`: its
   * conductor and the super conductor both serve the topic `conductor`, so they
   * need different brokers.
   */
  private async separateCellQueues(cells: readonly CellMapping[]): Promise<void> {
    const api = apiTransportUrl(this.config.DEFAULT);
    if (urlScheme(api) !== 'inproc') {
      return;
    }
    for (const cell of cells) {
      if (cell.transport_url !== api) {
        continue;
      }
      const named = cell.name ? `inproc://${cell.name}` : api;
      const transportUrl = named !== api ? named : `inproc://cell-${cell.uuid}`;
      const updated = await this.cellMappings.update(cell.uuid, {
        transportUrl,
        enable: false,
        disable: false,
      });
      if (updated.kind === 'updated') {
        log.info(
          { uuid: cell.uuid, from: api, to: transportUrl },
          'moved the cell off the API-level queue',
        );
      } else {
        log.warn(
          { uuid: cell.uuid, outcome: updated.kind },
          'could not move the cell off the API-level queue',
        );
      }
    }
  }

  /** A fresh install gets Nova's classic flavors, so a first server can be booted at once. */
  private async seedFlavors(): Promise<void> {
    const any = await this.flavorRepo.list({
      filters: { isPublic: null, includeDisabled: true },
      sortKey: 'id',
      sortDir: 'asc',
      limit: 1,
    });
    if (any.length > 0) {
      return;
    }
    for (const [flavorid, name, memoryMb, rootGb, vcpus] of CLASSIC_FLAVORS) {
      await this.flavors.create({
        name,
        flavorid,
        memoryMb,
        vcpus,
        rootGb,
        ephemeralGb: 0,
        swap: 0,
        rxtxFactor: 1,
        isPublic: true,
        description: null,
      });
    }
    log.info({ flavors: CLASSIC_FLAVORS.length }, 'created the default flavors');
  }

  /** cell0 next to the main database: nova_cell0.sqlite beside nova.sqlite, or <db>_cell0. */
  private cell0Url(local: string): string {
    const target = parseSqlUrl(local);
    if (target.kind === 'sqlite' && target.path !== ':memory:') {
      return `sqlite:///${target.path.replace(/(\.[^./]+)?$/, '_cell0$1')}`;
    }
    return deriveCell0Url(local);
  }
}

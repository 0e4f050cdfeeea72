import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { API_MIGRATIONS, ApiDatabase, CELL0_UUID, CellMappingRepository } from '@nova/api-db';
import { cellLabel, toCell, type Cell } from '@nova/cell-router';
import {
  CELL_MIGRATIONS,
  OLDEST_SUPPORTED_SERVICE_VERSION,
  SERVICE_VERSION_ALIASES,
} from '@nova/cells/db';
import { describeError } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  closeDataSource,
  latestVersion,
  MIGRATIONS_TABLE,
  openDataSource,
  schemaVersion,
  versionOf,
  type MigrationClass,
} from '@nova/database';

/** oslo.upgradecheck's result codes (and nova-status's exit codes). */
export enum UpgradeCheckCode {
  SUCCESS = 0,
  WARNING = 1,
  FAILURE = 2,
}

export interface UpgradeCheckResult {
  readonly name: string;
  readonly code: UpgradeCheckCode;
  readonly details: string | null;
}

interface ComputeNodeRow {
  readonly uuid: string;
  readonly host: string;
  readonly node: string;
}

/** Where a database's schema stands against this release's migrations. */
interface SchemaState {
  readonly version: number;
  /** This release's migrations it has not run (behind, or a gap left by a late merge). */
  readonly missing: readonly number[];
  /** Migrations it has run that this release does not know (ahead). */
  readonly unknown: number;
}

async function schemaState(
  ds: DataSource,
  migrations: readonly MigrationClass[],
): Promise<SchemaState> {
  const version = await schemaVersion(ds);
  const names = new Set(
    version === 0
      ? []
      : (await ds.query<Array<{ name: string }>>(`SELECT name FROM ${MIGRATIONS_TABLE}`)).map(
          (r) => r.name,
        ),
  );
  return {
    version,
    missing: migrations.filter((m) => !names.has(m.name)).map(versionOf),
    unknown: [...names].filter((n) => !migrations.some((m) => m.name === n)).length,
  };
}

/** What one cell database says, read directly (the router refuses a schema that is behind). */
interface CellFacts {
  readonly cell: Cell;
  readonly schema?: SchemaState;
  readonly error?: unknown;
  readonly computeNodes: readonly ComputeNodeRow[];
  /** The lowest positive service version of its live nova-compute services, if any. */
  readonly minComputeVersion: number | null;
}

interface Facts {
  readonly api: SchemaState;
  readonly cells: readonly CellFacts[];
  readonly mappedHosts: ReadonlySet<string>;
  readonly providers: ReadonlySet<string>;
}

const ok = (name: string, details: string | null = null): UpgradeCheckResult => ({
  name,
  code: UpgradeCheckCode.SUCCESS,
  details,
});

/**
 * `nova-status upgrade check`: Nova's checks that make sense here (cells v2,
 * placement, computes older than the oldest supported release) and one of our
 * own, the schema version of the API and of every cell database. Reads only.
 */
@Injectable()
export class UpgradeCheckService {
  constructor(
    private readonly api: ApiDatabase,
    private readonly cellMappings: CellMappingRepository,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async run(): Promise<UpgradeCheckResult[]> {
    const facts = await this.gather();
    return [
      checkCellsV2(facts),
      checkPlacement(facts),
      checkSchemas(facts),
      checkOldComputes(facts),
    ];
  }

  private async gather(): Promise<Facts> {
    const api = await this.api.get();
    const cells = (await this.cellMappings.list()).map((m) => toCell(m, this.config));
    const [apiSchema, hosts, providers, cellFacts] = await Promise.all([
      schemaState(api, API_MIGRATIONS),
      api.query<Array<{ host: string }>>('SELECT host FROM host_mappings'),
      api.query<Array<{ uuid: string }>>('SELECT uuid FROM resource_providers'),
      Promise.all(cells.map((cell) => this.cellFacts(cell))),
    ]);
    return {
      api: apiSchema,
      cells: cellFacts,
      mappedHosts: new Set(hosts.map((h) => h.host)),
      providers: new Set(providers.map((p) => p.uuid)),
    };
  }

  private async cellFacts(cell: Cell): Promise<CellFacts> {
    let ds: DataSource | undefined;
    try {
      ds = await openDataSource(cell.databaseConnection, {
        entities: [],
        poolSize: 1,
        connectTimeoutMs: this.config.cells.connect_timeout * 1000,
        idleTimeoutMs: 1000,
      });
      const schema = await schemaState(ds, CELL_MIGRATIONS);
      if (schema.version === 0) {
        return { cell, schema, computeNodes: [], minComputeVersion: null };
      }
      const nodes = await ds.query<ComputeNodeRow[]>(
        'SELECT uuid, host, hypervisor_hostname AS node FROM compute_nodes WHERE deleted = 0 ORDER BY id',
      );
      const [min] = await ds.query<Array<{ v: number | string | null }>>(
        "SELECT MIN(version) AS v FROM services WHERE `binary` = 'nova-compute' AND deleted = 0 AND forced_down = 0 AND version > 0",
      );
      return {
        cell,
        schema,
        computeNodes: nodes,
        minComputeVersion: min?.v === null || min?.v === undefined ? null : Number(min.v),
      };
    } catch (error) {
      return { cell, error, computeNodes: [], minComputeVersion: null };
    } finally {
      await closeDataSource(ds);
    }
  }
}

function checkCellsV2(facts: Facts): UpgradeCheckResult {
  const name = 'Cells v2';
  const fail = (details: string) => ({ name, code: UpgradeCheckCode.FAILURE, details });
  if (facts.cells.length < 2) {
    return fail(
      "There needs to be at least two cell mappings, one for cell0 and one for your first cell. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
    );
  }
  if (!facts.cells.some((c) => c.cell.uuid === CELL0_UUID)) {
    return fail(
      "No cell0 mapping found. Run command 'nova-manage cell_v2 map_cell0' and then retry.",
    );
  }
  const computes = facts.cells.flatMap((c) => c.computeNodes.map((n) => ({ ...n, cell: c.cell })));
  if (facts.mappedHosts.size === 0) {
    if (computes.length > 0) {
      return fail(
        "No host mappings found but there are compute nodes. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
      );
    }
    return ok(
      name,
      "No host mappings or compute nodes were found. Remember to run command 'nova-manage cell_v2 discover_hosts' when new compute hosts are deployed.",
    );
  }
  // Ours: Nova stops at "some host is mapped"; a host left unmapped gets no instances.
  const unmapped = [
    ...new Set(
      computes
        .filter((n) => !facts.mappedHosts.has(n.host))
        .map((n) => `${n.host} (cell ${cellLabel(n.cell)})`),
    ),
  ];
  if (unmapped.length > 0) {
    return fail(
      `Compute hosts not mapped to a cell: ${unmapped.join(', ')}. Run command 'nova-manage cell_v2 discover_hosts' and then retry.`,
    );
  }
  return ok(name);
}

/** Placement lives in the API database: every compute node needs its resource provider. */
function checkPlacement(facts: Facts): UpgradeCheckResult {
  const name = 'Placement API';
  const nodes = facts.cells.flatMap((c) => c.computeNodes);
  const missing = nodes.filter((n) => !facts.providers.has(n.uuid));
  if (missing.length === 0) {
    return ok(name);
  }
  return {
    name,
    code: UpgradeCheckCode.WARNING,
    details:
      `There are ${nodes.length - missing.length} compute resource providers and ${nodes.length} compute nodes in the deployment. ` +
      `Compute nodes without a resource provider get no instances until their cell conductor records one from the compute's next report: ` +
      `${missing.map((n) => `${n.host} (${n.node})`).join(', ')}.`,
  };
}

/** Ours: services refuse a database whose schema is behind the code. */
function checkSchemas(facts: Facts): UpgradeCheckResult {
  const name = 'Database Schemas';
  const failures: string[] = [];
  const warnings: string[] = [];
  const judge = (what: string, state: SchemaState, want: number, sync: string): void => {
    const behind = state.missing.filter((v) => v > state.version);
    if (state.missing.length > behind.length) {
      failures.push(
        `${what} is at version ${state.version} but lacks migration(s) ${state.missing.join(', ')}: run command '${sync}'.`,
      );
    } else if (behind.length > 0) {
      failures.push(
        `${what} is at version ${state.version}, this release needs ${want}: run command '${sync}'.`,
      );
    } else if (state.unknown > 0 || state.version > want) {
      warnings.push(
        `${what} is at version ${state.version}, newer than this release knows (${want}).`,
      );
    }
  };
  judge(
    'The API database schema',
    facts.api,
    latestVersion(API_MIGRATIONS),
    'nova-manage api_db sync',
  );
  for (const c of facts.cells) {
    const what = `The schema of cell ${cellLabel(c.cell)}`;
    if (c.schema) {
      judge(what, c.schema, latestVersion(CELL_MIGRATIONS), 'nova-manage db sync');
    } else {
      failures.push(`Cell ${cellLabel(c.cell)} could not be reached: ${describeError(c.error)}.`);
    }
  }
  if (failures.length > 0) {
    return { name, code: UpgradeCheckCode.FAILURE, details: [...failures, ...warnings].join(' ') };
  }
  if (warnings.length > 0) {
    return { name, code: UpgradeCheckCode.WARNING, details: warnings.join(' ') };
  }
  return ok(name);
}

function checkOldComputes(facts: Facts): UpgradeCheckResult {
  const name = 'Older than N-1 computes';
  const versions = facts.cells
    .map((c) => c.minComputeVersion)
    .filter((v): v is number => v !== null);
  if (versions.length === 0) {
    return ok(name); // no computes yet (a fresh install)
  }
  const min = Math.min(...versions);
  const oldest = SERVICE_VERSION_ALIASES[OLDEST_SUPPORTED_SERVICE_VERSION];
  if (min < oldest) {
    return {
      name,
      code: UpgradeCheckCode.FAILURE,
      details: `Current Nova version does not support computes older than ${OLDEST_SUPPORTED_SERVICE_VERSION} but the minimum compute service level in your system is ${min} and the oldest supported service level is ${oldest}.`,
    };
  }
  return ok(name);
}

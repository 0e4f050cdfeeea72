import type { AggregateRecord } from '@nova/aggregates';
import { isCell0, type Cell, type CellRouter } from '@nova/cell-router';
import { isServiceUp } from '@nova/cells/hosts';
import { cellDb, type CellRepositories, type ComputeNode, type Service } from '@nova/cells/db';
import { adminContext, describeError } from '@nova/common';
import { getLogger } from '@nova/logging';
import type { ProviderSummary } from '@nova/placement';
import type { HostAggregate, HostResource, HostState, ResourceClassName } from '@nova/scheduler';

const log = getLogger('scheduler.hosts');

export interface HostStateOptions {
  readonly serviceDownTime: number;
  readonly defaultZone: string;
}

/** What a cell says about some (or all) of its compute hosts. */
export interface CellHostRows {
  readonly services: readonly Service[];
  readonly nodes: readonly ComputeNode[];
  readonly instances: ReadonlyArray<{ uuid: string; host: string | null; node: string | null }>;
}

/** The fields of a service row its liveness is computed from. */
export type Heartbeat = Pick<Service, 'forced_down' | 'last_seen_up' | 'updated_at' | 'created_at'>;

/** A host state as the scheduler builds it, with the service heartbeat it came from. */
export interface BuiltHost {
  readonly state: HostState;
  readonly heartbeat: Heartbeat;
}

/** Every compute host of the cell, or only `hosts`: three queries at once. */
export async function readCellHosts(
  db: CellRepositories,
  hosts?: readonly string[],
): Promise<CellHostRows> {
  const [services, nodes, instances] = await Promise.all(
    hosts
      ? [
          db.services.listComputesOnHosts(hosts),
          db.computeNodes.listLiveOnHosts(hosts),
          db.instances.listOnHosts(hosts),
        ]
      : [
          db.services.listByBinary('nova-compute'),
          db.computeNodes.listLive(),
          db.instances.placements(),
        ],
  );
  return { services, nodes, instances };
}

/** Aggregates by host name, with the zone they give it; built once per aggregate list. */
export class AggregateIndex {
  private readonly byHost = new Map<string, HostAggregate[]>();

  constructor(
    aggregates: readonly AggregateRecord[],
    private readonly defaultZone: string,
  ) {
    for (const a of aggregates) {
      const entry = { name: a.name, metadata: a.metadata, hosts: a.hosts };
      for (const host of new Set(a.hosts)) {
        this.byHost.set(host, [...(this.byHost.get(host) ?? []), entry]);
      }
    }
  }

  aggregatesOf(host: string): readonly HostAggregate[] {
    return this.byHost.get(host) ?? NO_AGGREGATES;
  }

  /** The host's zone; several joined with commas when its aggregates disagree. */
  zoneOf(host: string): string {
    const zones = new Set<string>();
    for (const a of this.aggregatesOf(host)) {
      const zone = a.metadata['availability_zone'];
      if (zone) {
        zones.add(zone);
      }
    }
    return zones.size ? [...zones].sort().join(',') : this.defaultZone;
  }
}

const NO_AGGREGATES: readonly HostAggregate[] = [];

/**
 * The host states of one cell's rows: service liveness and node facts from the
 * cell, resources from placement, aggregates from the API database. A node not
 * yet reported to placement (or without its service) is left out.
 */
export function buildHostStates(
  cell: Cell,
  rows: CellHostRows,
  providers: ReadonlyMap<string, ProviderSummary>,
  aggregates: AggregateIndex,
  opts: HostStateOptions,
  now = Date.now(),
): BuiltHost[] {
  const services = new Map<string | null, Service>();
  for (const s of rows.services) {
    if (!services.has(s.host)) {
      services.set(s.host, s); // the first, in id order, as Nova finds it
    }
  }
  const onHost = new Map<string, Array<CellHostRows['instances'][number]>>();
  for (const instance of rows.instances) {
    const key = instance.host ?? '';
    const list = onHost.get(key);
    if (list) {
      list.push(instance);
    } else {
      onHost.set(key, [instance]);
    }
  }
  const built: BuiltHost[] = [];
  for (const node of rows.nodes) {
    const service = node.host === null ? undefined : services.get(node.host);
    const provider = node.uuid ? providers.get(node.uuid) : undefined;
    if (!service || !provider || !node.host) {
      continue; // not reported to placement yet
    }
    const onNode = (onHost.get(node.host) ?? []).filter(
      (i) => i.node === node.hypervisor_hostname || i.node === null,
    );
    built.push({
      heartbeat: service,
      state: {
        host: node.host,
        nodename: node.hypervisor_hostname ?? node.host,
        cellUuid: cell.uuid,
        providerUuid: provider.uuid,
        serviceUp: isServiceUp(service, opts.serviceDownTime, now),
        serviceDisabled: service.disabled,
        availabilityZone: aggregates.zoneOf(node.host),
        resources: resourcesOf(provider),
        hypervisorType: node.hypervisor_type,
        hypervisorVersion:
          node.hypervisor_version === null ? null : Number(node.hypervisor_version),
        cpuInfo: parseJson(node.cpu_info),
        supportedInstances: [
          {
            arch: archOf(node.cpu_info),
            hvType: (node.hypervisor_type ?? 'qemu').toLowerCase(),
            vmMode: 'hvm',
          },
        ],
        aggregates: aggregates.aggregatesOf(node.host),
        instances: new Set(onNode.map((i) => i.uuid)),
        numInstances: onNode.length,
      },
    });
  }
  return built;
}

/** The enabled cells hosts are scheduled to (cell0 never is). */
export async function schedulableCells(router: CellRouter): Promise<Cell[]> {
  return (await router.cells()).filter((c) => !c.disabled && !isCell0(c));
}

/**
 * Every compute node of every enabled cell as a HostState, read afresh (what the
 * scheduler does per request without its cache): cells read concurrently, a
 * dead cell only loses its hosts.
 */
export async function gatherHostStates(
  router: CellRouter,
  providers: readonly ProviderSummary[],
  aggregates: readonly AggregateRecord[],
  opts: HostStateOptions & { timeoutMs: number },
): Promise<HostState[]> {
  const cells = await schedulableCells(router);
  const byProvider = new Map(providers.map((p) => [p.uuid, p]));
  const index = new AggregateIndex(aggregates, opts.defaultZone);
  const results = await router.scatterGather(
    adminContext(),
    cells,
    async (cctx) => readCellHosts(await cellDb(cctx)),
    { timeoutMs: opts.timeoutMs },
  );
  const hosts: HostState[] = [];
  const now = Date.now();
  for (const cell of cells) {
    const result = results.get(cell.uuid);
    if (!result || result.status !== 'ok') {
      logLeftOut(cell, result);
      continue;
    }
    for (const built of buildHostStates(cell, result.value, byProvider, index, opts, now)) {
      hosts.push(built.state);
    }
  }
  return hosts;
}

export function logLeftOut(
  cell: Cell,
  result: { status: string; error?: unknown } | undefined,
): void {
  log.warn(
    {
      cell: cell.uuid,
      status: result?.status,
      err: result?.status === 'error' ? describeError(result.error) : undefined,
    },
    'cell left out of scheduling',
  );
}

/** Placement's view of a provider as host resources (fresh objects: selection changes `used`). */
export function resourcesOf(
  provider: ProviderSummary,
): Partial<Record<ResourceClassName, HostResource>> {
  const out: Partial<Record<ResourceClassName, HostResource>> = {};
  for (const [rc, r] of Object.entries(provider.resources)) {
    out[rc as ResourceClassName] = {
      total: r.total,
      reserved: r.reserved,
      allocationRatio: r.allocationRatio,
      maxUnit: r.maxUnit,
      used: r.used,
    };
  }
  return out;
}

function parseJson(text: string | null): Record<string, unknown> | null {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function archOf(cpuInfo: string | null): string {
  const arch = parseJson(cpuInfo)?.arch;
  return typeof arch === 'string' ? arch : 'x86_64';
}

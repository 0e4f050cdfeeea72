import type { AggregateRecord } from '@nova/aggregates';
import { isCell0, type CellRouter } from '@nova/cell-router';
import { isServiceUp } from '@nova/cells/hosts';
import { cellDb } from '@nova/cells/db';
import { adminContext, describeError } from '@nova/common';
import { getLogger } from '@nova/logging';
import type { ProviderSummary } from '@nova/placement';
import type { HostResource, HostState, ResourceClassName } from '@nova/scheduler';

const log = getLogger('scheduler.hosts');

/**
 * Every compute node of every enabled cell as a HostState: service liveness
 * and node facts from the cells (read concurrently; a dead cell only loses its
 * hosts), resources from placement, aggregates from the API database.
 */
export async function gatherHostStates(
  router: CellRouter,
  providers: readonly ProviderSummary[],
  aggregates: readonly AggregateRecord[],
  opts: { serviceDownTime: number; defaultZone: string; timeoutMs: number },
): Promise<HostState[]> {
  const cells = (await router.cells()).filter((c) => !c.disabled && !isCell0(c));
  const byProvider = new Map(providers.map((p) => [p.uuid, p]));
  const results = await router.scatterGather(
    adminContext(),
    cells,
    async (cctx) => {
      const db = await cellDb(cctx);
      // One round trip: the cell's placed instances are read alongside its hosts.
      const [services, nodes, instances] = await Promise.all([
        db.services.listByBinary('nova-compute'),
        db.computeNodes.listLive(),
        db.instances.placements(),
      ]);
      return { services, nodes, instances };
    },
    { timeoutMs: opts.timeoutMs },
  );
  const hosts: HostState[] = [];
  const now = Date.now();
  for (const cell of cells) {
    const result = results.get(cell.uuid);
    if (!result || result.status !== 'ok') {
      log.warn(
        {
          cell: cell.uuid,
          status: result?.status,
          err: result?.status === 'error' ? describeError(result.error) : undefined,
        },
        'cell left out of scheduling',
      );
      continue;
    }
    const { services, nodes, instances } = result.value;
    const onHost = new Map<string, typeof instances>();
    for (const instance of instances) {
      const list = onHost.get(instance.host ?? '');
      if (list) {
        list.push(instance);
      } else {
        onHost.set(instance.host ?? '', [instance]);
      }
    }
    for (const node of nodes) {
      const service = services.find((s) => s.host === node.host);
      const provider = node.uuid ? byProvider.get(node.uuid) : undefined;
      if (!service || !provider || !node.host) {
        continue; // not reported to placement yet
      }
      const mine = aggregates.filter((a) => a.hosts.includes(node.host!));
      const zones = [
        ...new Set(mine.map((a) => a.metadata.availability_zone).filter((z): z is string => !!z)),
      ];
      const onNode = (onHost.get(node.host) ?? []).filter(
        (i) => i.node === node.hypervisor_hostname || i.node === null,
      );
      hosts.push({
        host: node.host,
        nodename: node.hypervisor_hostname ?? node.host,
        cellUuid: cell.uuid,
        providerUuid: node.uuid!,
        serviceUp: isServiceUp(service, opts.serviceDownTime, now),
        serviceDisabled: service.disabled,
        availabilityZone: zones.length ? zones.sort().join(',') : opts.defaultZone,
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
        aggregates: mine.map((a) => ({ name: a.name, metadata: a.metadata, hosts: a.hosts })),
        instances: new Set(onNode.map((i) => i.uuid)),
        numInstances: onNode.length,
      });
    }
  }
  return hosts;
}

function resourcesOf(provider: ProviderSummary): Partial<Record<ResourceClassName, HostResource>> {
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

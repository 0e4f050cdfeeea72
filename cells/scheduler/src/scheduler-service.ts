import { type AggregateRepository } from '@nova/aggregates';
import { type ApiDatabase } from '@nova/api-db';
import type { CellRouter } from '@nova/cell-router';
import type { RequestContext } from '@nova/common';
import {
  NoValidHost,
  type Destinations,
  type Selection,
  type WireRequestSpec,
} from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import type { PlacementService } from '@nova/placement';
import {
  NoValidHost as NoHostPassed,
  narrowCandidates,
  requestedResources,
  schedulerConfigFrom,
  selectDestinations,
  type GroupPolicy,
  type HostState,
  type RequestSpec,
} from '@nova/scheduler';
import type { HostStateCache } from './host-state-cache';
import { gatherHostStates } from './host-states';
import { schedulerDecisions, schedulerDuration, schedulerNoValidHost } from '@nova/metrics';

const log = getLogger('scheduler');

/**
 * select_destinations: filter and weigh the hosts of every cell (from the
 * host-state cache when there is one, a sample of them), then claim
 * each instance's resources in placement, trying its candidates in order. A
 * claim is atomic, so two schedulers racing for the last room on a host cannot
 * both win; the loser moves to its next candidate.
 */
export class SchedulerService {
  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly placement: PlacementService,
    private readonly aggregates: AggregateRepository,
    private readonly apiDb: ApiDatabase,
    /** Host states kept between requests; without it every request reads every cell. */
    private readonly cache?: HostStateCache,
  ) {}

  methods() {
    return {
      select_destinations: (_ctx: RequestContext, a: { spec: WireRequestSpec }) =>
        this.meteredSelect(a.spec),
    };
  }

  /** select, counted by outcome (NoValidHost apart) and timed. */
  private async meteredSelect(spec: WireRequestSpec): Promise<Destinations> {
    const end = schedulerDuration.startTimer();
    try {
      const selected = await this.select(spec);
      schedulerDecisions.inc({ outcome: 'selected' });
      return selected;
    } catch (err) {
      const noHost = err instanceof NoValidHost;
      schedulerDecisions.inc({ outcome: noHost ? 'no_valid_host' : 'error' });
      if (noHost) {
        schedulerNoValidHost.inc();
      }
      throw err;
    } finally {
      end();
    }
  }

  async select(spec: WireRequestSpec): Promise<Destinations> {
    if (!this.cache) {
      return this.place(spec, await this.freshHosts(), false);
    }
    try {
      return await this.place(spec, await this.cachedHosts(), true);
    } catch (err) {
      if (!(err instanceof NoValidHost)) {
        throw err;
      }
      // The cache may narrow a request, never deny it: look at every host, read afresh.
      log.info({ instances: spec.instance_uuids }, 'no host in the cached sample; reading all');
      this.cache.refreshAll();
      return this.place(spec, await this.cachedHosts(), false);
    }
  }

  /** Every host read from the cells and placement now (the scheduler without its cache). */
  private async freshHosts(): Promise<HostState[]> {
    const [providers, aggregates] = await Promise.all([
      this.placement.providerSummaries(),
      this.aggregates.list(),
    ]);
    return gatherHostStates(this.router, providers, aggregates, {
      serviceDownTime: this.config.DEFAULT.service_down_time,
      defaultZone: this.config.DEFAULT.default_availability_zone,
      timeoutMs: this.config.cells.cell_list_timeout * 1000,
    });
  }

  private cachedHosts(): Promise<HostState[]> {
    return this.cache!.hostStates();
  }

  /**
   * Filter and weigh `hosts` (a sample of them when `narrow`), then claim each
   * instance in placement, trying its candidates in order.
   */
  private async place(
    spec: WireRequestSpec,
    hosts: readonly HostState[],
    narrow: boolean,
  ): Promise<Destinations> {
    const request = await this.toRequestSpec(spec, hosts);
    const candidates = narrow
      ? narrowCandidates(request, hosts, this.config.scheduler.max_placement_results)
      : hosts;
    let selections;
    try {
      selections = selectDestinations(request, candidates, schedulerConfigFrom(this.config));
    } catch (err) {
      if (err instanceof NoHostPassed) {
        log.info(
          { instances: spec.instance_uuids, filterCounts: err.filterCounts },
          'no host passed the filters',
        );
        throw new NoValidHost(err.message);
      }
      throw err;
    }
    if (request.isRebuild) {
      // Selection consumed on the host in memory; nothing is claimed for a rebuild.
      this.cache?.reread(selections.map((s) => s.selected));
      // The server keeps its allocation: its host only had to pass the image filters.
      return selections.map((s) => s.candidates.slice(0, 1).map(toSelection));
    }
    const resources = requestedResources(request);
    const refused: HostState[] = [];
    const claim = async (selection: (typeof selections)[number]) => {
      for (const candidate of selection.candidates) {
        if (
          await this.placement.claim(
            selection.instanceUuid,
            spec.project_id,
            spec.user_id,
            candidate.providerUuid,
            { ...resources },
          )
        ) {
          return candidate;
        }
        refused.push(candidate);
      }
      return undefined;
    };
    // Claims on one provider run in turn (they would only fight over its generation);
    // claims on different providers run at once: 100 instances on 10 hosts take 10 rounds.
    const byProvider = new Map<string, number[]>();
    selections.forEach((selection, i) => {
      const key = selection.candidates[0]?.providerUuid ?? '';
      byProvider.set(key, [...(byProvider.get(key) ?? []), i]);
    });
    const winners: Array<HostState | undefined> = [];
    await Promise.all(
      [...byProvider.values()].map(async (indexes) => {
        for (const i of indexes) {
          winners[i] = await claim(selections[i]);
        }
      }),
    );
    this.cache?.reread(refused);
    if (selections.some((_, i) => !winners[i])) {
      await Promise.all(
        selections.filter((_, i) => winners[i]).map((s) => this.placement.release(s.instanceUuid)),
      );
      this.cache?.reread(selections.map((s) => s.selected));
      throw new NoValidHost('No valid host was found. There are not enough hosts available.');
    }
    selections.forEach((selection, i) => {
      const winner = winners[i]!;
      if (this.cache && (winner !== selection.selected || !this.cache.isCurrent(winner))) {
        this.cache.placedElsewhere(selection.selected, winner);
      }
    });
    const out = selections.map((selection, i) => {
      const winner = winners[i]!;
      return [winner, ...selection.candidates.filter((c) => c !== winner)].map(toSelection);
    });
    log.info({ instances: out.length, hosts: out.map((s) => s[0]?.host) }, 'selected destinations');
    return out;
  }

  private async toRequestSpec(
    spec: WireRequestSpec,
    hosts: readonly HostState[],
  ): Promise<RequestSpec> {
    const hint = (name: string): string[] | undefined => {
      const value = spec.scheduler_hints[name];
      return value === undefined
        ? undefined
        : Array.isArray(value)
          ? [...(value as string[])]
          : [value as string];
    };
    let group: RequestSpec['instanceGroup'] = null;
    if (spec.group) {
      const ds = await this.apiDb.get();
      const rows = await ds.query<Array<{ uuid: string }>>(
        'SELECT m.instance_uuid AS uuid FROM instance_group_member m JOIN instance_groups g ON g.id = m.group_id WHERE g.uuid = ?',
        [spec.group.uuid],
      );
      // A moving instance does not stand in its own way (anti-affinity with itself).
      const moving = new Set(spec.is_move ? spec.instance_uuids : []);
      const members = rows.map((r) => r.uuid).filter((m) => !moving.has(m));
      group = {
        uuid: spec.group.uuid,
        policy: spec.group.policy as GroupPolicy,
        rules: spec.group.rules,
        members,
        hosts: [
          ...new Set(
            hosts.filter((h) => members.some((m) => h.instances.has(m))).map((h) => h.host),
          ),
        ],
      };
    }
    const query = hint('query')?.[0];
    return {
      instanceUuids: spec.instance_uuids,
      numInstances: spec.instance_uuids.length,
      projectId: spec.project_id,
      flavor: spec.flavor,
      image: { id: spec.image.id, properties: spec.image.properties },
      availabilityZone: spec.availability_zone,
      schedulerHints: {
        ...(spec.group ? { group: spec.group.uuid } : {}),
        ...(hint('same_host') ? { same_host: hint('same_host') } : {}),
        ...(hint('different_host') ? { different_host: hint('different_host') } : {}),
        ...(query ? { query } : {}),
      },
      instanceGroup: group,
      requestedDestination:
        spec.requested_host || spec.requested_node || spec.requested_cell
          ? {
              ...(spec.requested_host ? { host: spec.requested_host } : {}),
              ...(spec.requested_node ? { node: spec.requested_node } : {}),
              ...(spec.requested_cell ? { cellUuid: spec.requested_cell } : {}),
            }
          : null,
      ignoreHosts: spec.ignore_hosts,
      ...(spec.force_hosts?.length ? { forceHosts: spec.force_hosts } : {}),
      ...(spec.is_rebuild ? { isRebuild: true } : {}),
    };
  }
}

function toSelection(host: HostState): Selection {
  return {
    cell_uuid: host.cellUuid,
    host: host.host,
    nodename: host.nodename,
    provider_uuid: host.providerUuid,
    availability_zone: host.availabilityZone,
  };
}

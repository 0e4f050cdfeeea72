import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AGGREGATES_CHANGED_CHANNEL, AggregateRepository } from '@nova/aggregates';
import { ApiDatabase, HostMappingExists } from '@nova/api-db';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import { CellRouter, cellLabel } from '@nova/cell-router';
import { ServiceHeartbeat } from '@nova/cells/hosts';
import { HostMappingService } from '@nova/cells/manage';
import { describeError, maskUrl } from '@nova/common';
import {
  HOST_REPORTS_CHANNEL,
  parseHostReport,
  SCHEDULER_TOPIC,
  SCHEDULER_RPC_VERSION,
} from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { PlacementService } from '@nova/placement';
import {
  apiTransportUrl,
  dispatcher,
  openTransport,
  transportOptions,
  type RpcConsumer,
  type RpcTransport,
} from '@nova/rpc';
import { HostStateCache } from './host-state-cache';
import { schedulableCells } from './host-states';
import { SchedulerService } from './scheduler-service';

const log = getLogger('scheduler');

/** oslo.service's default spacing, which `discover_hosts_in_cells_interval = 0` means. */
const DEFAULT_PERIODIC_SECONDS = 60;

/** Every cached cell is re-read in the background within this long (lost messages)... */
const SAFETY_REFRESH_MS = 60_000;
/**
 * ...one cell at a time, at most one every this long: a region of 50 cells of
 * 1,000 hosts is re-read every 250 s rather than reading a cell every 1.2 s.
 */
const SAFETY_SPACING_MS = 5_000;

export interface SchedulerStartOptions {
  /**
   * Seconds between host discoveries, overriding `[scheduler]
   * discover_hosts_in_cells_interval` (nova-all passes its own default).
   */
  readonly discoverHostsInterval?: number;
  /**
   * Keep host states between requests, fed by the computes' reports. Default:
   * when the cache backend is shared (Redis), which carries the reports here.
   */
  readonly hostStateCache?: boolean;
}

/**
 * `nova-scheduler`: select_destinations served on the API-level queue (topic
 * `scheduler`), and, with `[scheduler] discover_hosts_in_cells_interval` > 0
 * (0: every 60 s), the periodic host discovery of `nova-manage cell_v2
 * discover_hosts` (run once at start, then every interval). Its `nova-scheduler`
 * service row heartbeats in the cell its `[database] connection` names, when
 * that is a mapped cell.
 */
@Injectable()
export class SchedulerRunner implements OnModuleDestroy {
  private mq?: RpcTransport;
  private consumer?: RpcConsumer;
  private heartbeat?: ServiceHeartbeat | null;
  private discovery?: NodeJS.Timeout;
  private discovering?: Promise<number>;
  private hostCache?: HostStateCache;
  private unsubscribe?: () => Promise<void>;
  private safety?: NodeJS.Timeout;
  private listening = false;

  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly placement: PlacementService,
    private readonly aggregates: AggregateRepository,
    private readonly apiDb: ApiDatabase,
    private readonly hostMappings: HostMappingService,
    @Inject(CACHE_BACKEND) private readonly cache: CacheBackend,
  ) {}

  async start(options: SchedulerStartOptions = {}): Promise<void> {
    const { DEFAULT, cells, scheduler } = this.config;
    const url = apiTransportUrl(DEFAULT);
    this.mq = await openTransport(
      url,
      cells.connect_timeout * 1000,
      transportOptions(this.config.oslo_messaging_rabbit),
    );
    if (options.hostStateCache ?? this.cache.shared) {
      await this.startHostCache();
    }
    const service = new SchedulerService(
      this.config,
      this.router,
      this.placement,
      this.aggregates,
      this.apiDb,
      this.hostCache,
    );
    this.consumer = await this.mq.serve(
      { topic: SCHEDULER_TOPIC, server: DEFAULT.host },
      dispatcher(service.methods(), { version: SCHEDULER_RPC_VERSION }),
      { prefetch: 64 },
    );
    this.heartbeat = await ServiceHeartbeat.forLocalCell(
      this.router,
      this.config.database.connection,
      { host: DEFAULT.host, binary: 'nova-scheduler', topic: SCHEDULER_TOPIC },
      DEFAULT.report_interval * 1000,
    );
    await this.heartbeat?.start();
    const configured = options.discoverHostsInterval ?? scheduler.discover_hosts_in_cells_interval;
    const interval = configured === 0 ? DEFAULT_PERIODIC_SECONDS : configured;
    if (interval > 0) {
      await this.discoverHosts();
      this.discovery = setInterval(() => void this.discoverHosts(), interval * 1000);
      this.discovery.unref();
    }
    log.info(
      {
        transport: maskUrl(url),
        host: DEFAULT.host,
        discover_hosts_interval: interval > 0 ? interval : null,
        host_state_cache: !!this.hostCache,
      },
      'scheduler serving',
    );
  }

  /**
   * The host-state cache and what feeds it: host reports and aggregate changes
   * on the cache's pub/sub, cell mapping changes, a full re-read after a cache outage (messages may be
   * lost), and a background re-read of one cell after another as a safety net.
   */
  private async startHostCache(): Promise<void> {
    const { DEFAULT, cells } = this.config;
    const hostCache = new HostStateCache(this.router, this.placement, {
      serviceDownTime: DEFAULT.service_down_time,
      defaultZone: DEFAULT.default_availability_zone,
      timeoutMs: cells.cell_list_timeout * 1000,
      loadAggregates: () => this.aggregates.list(),
    });
    const unsubscribe = await Promise.all([
      this.cache.subscribe(HOST_REPORTS_CHANNEL, (raw) => {
        const report = parseHostReport(raw);
        if (report) {
          hostCache.hostReported(report);
        }
      }),
      this.cache.subscribe(AGGREGATES_CHANGED_CHANNEL, () => hostCache.aggregatesChanged()),
    ]);
    this.unsubscribe = async () => {
      await Promise.all(unsubscribe.map((u) => u()));
    };
    if (!this.listening) {
      // Registered once: they reach whichever cache a restarted runner has.
      this.listening = true;
      this.cache.onReconnect(() => this.hostCache?.refreshAll());
      this.router.registry.onChange((change) => this.hostCache?.dropCell(change.cell.uuid));
    }
    let next = 0;
    const rereadNext = async () => {
      const all = await schedulableCells(this.router);
      const cell = all[next++ % Math.max(1, all.length)];
      if (cell) {
        await hostCache.rereadCell(cell);
      }
    };
    const count = Math.max(1, (await schedulableCells(this.router).catch(() => [])).length);
    this.safety = setInterval(
      () =>
        void rereadNext().catch((err: unknown) =>
          log.warn({ err: describeError(err) }, 'background host re-read failed'),
        ),
      Math.max(SAFETY_SPACING_MS, Math.floor(SAFETY_REFRESH_MS / count)),
    );
    this.safety.unref();
    this.hostCache = hostCache;
  }

  /**
   * Map every unmapped compute node of every cell (`nova-manage cell_v2
   * discover_hosts`); returns how many hosts were mapped. Never throws: a cell
   * that fails is logged, a host another scheduler mapped first is skipped.
   * Concurrent calls share one run.
   */
  discoverHosts(): Promise<number> {
    this.discovering ??= this.discover().finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private async discover(): Promise<number> {
    let results;
    try {
      results = await this.hostMappings.discover({ byService: false, releaseConnections: false });
    } catch (err) {
      log.warn({ err: describeError(err) }, 'host discovery failed');
      return 0;
    }
    let mapped = 0;
    for (const result of results) {
      if (result.ok) {
        mapped += result.value;
        if (result.value > 0) {
          log.info({ cell: cellLabel(result.cell), mapped: result.value }, 'discovered hosts');
        }
      } else if (result.error instanceof HostMappingExists) {
        log.debug({ cell: cellLabel(result.cell) }, 'host mapped concurrently; next run goes on');
      } else {
        log.warn(
          { cell: cellLabel(result.cell), err: describeError(result.error) },
          'host discovery failed in a cell',
        );
      }
    }
    return mapped;
  }

  async stop(): Promise<void> {
    clearInterval(this.discovery);
    this.discovery = undefined;
    clearInterval(this.safety);
    this.safety = undefined;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.hostCache = undefined;
    this.heartbeat?.stop();
    await this.consumer?.stop();
    await this.mq?.close();
    this.consumer = undefined;
    this.mq = undefined;
    await this.discovering?.catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}

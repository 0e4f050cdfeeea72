import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AggregateRepository } from '@nova/aggregates';
import { ApiDatabase, HostMappingExists } from '@nova/api-db';
import { CellRouter, cellLabel } from '@nova/cell-router';
import { ServiceHeartbeat } from '@nova/cells/hosts';
import { HostMappingService } from '@nova/cells/manage';
import { describeError, maskUrl } from '@nova/common';
import { SCHEDULER_TOPIC } from '@nova/compute-rpc';
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
import { SchedulerService } from './scheduler-service';

const log = getLogger('scheduler');

/** oslo.service's default spacing, which `discover_hosts_in_cells_interval = 0` means. */
const DEFAULT_PERIODIC_SECONDS = 60;

export interface SchedulerStartOptions {
  /**
   * Seconds between host discoveries, overriding `[scheduler]
   * discover_hosts_in_cells_interval` (nova-all passes its own default).
   */
  readonly discoverHostsInterval?: number;
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

  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly placement: PlacementService,
    private readonly aggregates: AggregateRepository,
    private readonly apiDb: ApiDatabase,
    private readonly hostMappings: HostMappingService,
  ) {}

  async start(options: SchedulerStartOptions = {}): Promise<void> {
    const { DEFAULT, cells, scheduler } = this.config;
    const url = apiTransportUrl(DEFAULT);
    this.mq = await openTransport(
      url,
      cells.connect_timeout * 1000,
      transportOptions(this.config.oslo_messaging_rabbit),
    );
    const service = new SchedulerService(
      this.config,
      this.router,
      this.placement,
      this.aggregates,
      this.apiDb,
    );
    this.consumer = await this.mq.serve(
      { topic: SCHEDULER_TOPIC, server: DEFAULT.host },
      dispatcher(service.methods()),
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
      },
      'scheduler serving',
    );
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

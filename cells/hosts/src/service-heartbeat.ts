import { isCell0, type Cell, type CellRouter } from '@nova/cell-router';
import { HostReports } from '@nova/cells/db';
import { adminContext, describeError } from '@nova/common';
import { getLogger } from '@nova/logging';

const log = getLogger('service-heartbeat');

export interface ServiceIdentity {
  readonly host: string;
  /** `nova-conductor`, `nova-scheduler`... */
  readonly binary: string;
  /** The RPC topic Nova records for the binary (`conductor`, `scheduler`). */
  readonly topic: string;
}

/**
 * A database-side service's heartbeat in its cell's `services` table (Nova's
 * servicegroup "db" driver), every `intervalMs`: what `openstack compute service
 * list` shows for conductors and schedulers. Computes heartbeat through their
 * cell conductor instead (they hold no credentials). A failed beat is logged once
 * per outage and retried on the next interval.
 */
export class ServiceHeartbeat {
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly router: CellRouter,
    private readonly cell: Cell,
    private readonly service: ServiceIdentity,
    private readonly intervalMs: number,
  ) {}

  /**
   * The heartbeat of a service whose cell is the one its `[database] connection`
   * names (Nova's super conductor and scheduler usually point at cell0), or null
   * when that database is not a mapped cell.
   */
  static async forLocalCell(
    router: CellRouter,
    databaseConnection: string | undefined,
    service: ServiceIdentity,
    intervalMs: number,
  ): Promise<ServiceHeartbeat | null> {
    if (!databaseConnection) {
      return null;
    }
    const cell = (await router.cells()).find((c) => c.databaseConnection === databaseConnection);
    return cell ? new ServiceHeartbeat(router, cell, service, intervalMs) : null;
  }

  /** Beat once now (registering the service on first start), then every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async beat(): Promise<void> {
    const { host, binary, topic } = this.service;
    try {
      const ds = await this.router.targetCell(adminContext(), this.cell).cell.db();
      await new HostReports(ds).heartbeat(host, binary, topic);
      if (this.failing) {
        this.failing = false;
        log.info({ host, binary, cell: this.cell.uuid }, 'service heartbeat recovered');
      }
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        log.warn(
          {
            host,
            binary,
            cell: this.cell.uuid,
            cell0: isCell0(this.cell),
            err: describeError(err),
          },
          'service heartbeat failed; retrying every report_interval',
        );
      }
    }
  }
}

import { maskUrl } from '@nova/common';
import { ReportedServiceVersions, RpcVersionPins } from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';
import { createImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import { openTransport, transportOptions, type RpcTransport } from '@nova/rpc';
import { createVirtDriver } from '@nova/cells/virt';
import { driveOptions } from '@nova/metadata';
import { ComputeManager } from './compute-manager';

const log = getLogger('compute');

/** Hosts started at once: each registers through the conductor and opens its consumer. */
const START_BATCH = 16;

/**
 * The host names of one compute process: `[DEFAULT] host` itself for one host;
 * with `[fake_driver] host_count = N > 1`, `<host>-1` ... `<host>-N`.
 */
export function computeHostNames(host: string, count: number): string[] {
  return count <= 1 ? [host] : Array.from({ length: count }, (_, i) => `${host}-${i + 1}`);
}

/**
 * The compute hosts of one process on one queue (the cell's): one compute
 * manager and driver per host, all sharing a single connection. Holds no
 * database credentials: every write goes through the cell conductor.
 */
export class ComputeHosts {
  private constructor(
    private readonly mq: RpcTransport,
    readonly managers: readonly ComputeManager[],
  ) {}

  /**
   * Start `[fake_driver] host_count` hosts (one with the libvirt driver) on
   * `transportUrl` (default `[DEFAULT] transport_url`), each heartbeating every
   * `[DEFAULT] report_interval` and syncing power states every `[compute]
   * sync_power_state_interval`.
   */
  static async start(config: NovaConfig, transportUrl?: string): Promise<ComputeHosts> {
    const { DEFAULT, compute, fake_driver, cells } = config;
    const fake = compute.compute_driver === 'fake.FakeDriver';
    if (!fake && fake_driver.host_count > 1) {
      throw new Error(
        `[fake_driver] host_count = ${fake_driver.host_count} needs [compute] compute_driver = fake.FakeDriver`,
      );
    }
    const url = transportUrl ?? DEFAULT.transport_url;
    if (!url) {
      throw new Error('[DEFAULT] transport_url is not set: a compute host needs its cell queue');
    }
    const mq = await openTransport(
      url,
      cells.connect_timeout * 1000,
      transportOptions(config.oslo_messaging_rabbit),
    );
    const images = createImageBackend(config);
    const names = computeHostNames(DEFAULT.host, fake ? fake_driver.host_count : 1);
    const configDrive = { force: DEFAULT.force_config_drive, options: driveOptions(config) };
    // No database here: `auto` learns the cell's service versions from the heartbeats' replies.
    const reported = new ReportedServiceVersions();
    const upgradeLevels = {
      pins: new RpcVersionPins(config.upgrade_levels, reported.min),
      reported,
    };
    const managers = names.map(
      (host) =>
        new ComputeManager(mq, createVirtDriver(config), {
          host,
          upgradeLevels,
          reportIntervalMs: DEFAULT.report_interval * 1000,
          powerSyncIntervalMs: compute.sync_power_state_interval * 1000,
          rpcTimeoutMs: DEFAULT.rpc_response_timeout * 1000,
          reclaimIntervalMs: DEFAULT.reclaim_instance_interval * 1000,
          images,
          shelvedOffloadTime: DEFAULT.shelved_offload_time,
          shelvedPollInterval: DEFAULT.shelved_poll_interval,
          ...(DEFAULT.instance_usage_audit
            ? { usageAuditPeriod: DEFAULT.instance_usage_audit_period }
            : {}),
          configDrive,
          vifPluggingTimeoutMs: DEFAULT.vif_plugging_timeout * 1000,
          vifPluggingIsFatal: DEFAULT.vif_plugging_is_fatal,
        }),
    );
    const started: ComputeManager[] = [];
    try {
      for (let i = 0; i < managers.length; i += START_BATCH) {
        const batch = managers.slice(i, i + START_BATCH);
        await Promise.all(
          batch.map(async (m) => {
            await m.start();
            started.push(m);
          }),
        );
      }
    } catch (err) {
      await Promise.all(started.map((m) => m.stop().catch(() => undefined)));
      await mq.close().catch(() => undefined);
      throw err;
    }
    log.info(
      {
        hosts: names.length <= 8 ? names : [...names.slice(0, 8), `... (${names.length})`],
        driver: compute.compute_driver,
        transport: maskUrl(url),
      },
      'compute hosts started',
    );
    return new ComputeHosts(mq, managers);
  }

  get hosts(): string[] {
    return this.managers.map((m) => m.host);
  }

  async stop(): Promise<void> {
    await Promise.all(this.managers.map((m) => m.stop().catch(() => undefined)));
    await this.mq.close();
  }
}

#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { CellRouter } from '@nova/cell-router';
import { ComputeHosts } from '@nova/cells/compute';
import {
  ConsoleProxies,
  ConsoleProxyModule,
  proxySettings,
  type ProxyKind,
} from '@nova/cells/console-proxy';
import { CellConductorRunner, ConductorModule, SuperConductorRunner } from '@nova/cells/conductor';
import { HostsModule, installUpgradeLevels } from '@nova/cells/hosts';
import { EmbeddedBootstrapService, ManageModule } from '@nova/cells/manage';
import { listenMetadata, MetadataHandler, MetadataModule } from '@nova/cells/metadata';
import { SchedulerModule, SchedulerRunner } from '@nova/cells/scheduler';
import { ServersModule } from '@nova/cells/servers';
import { maskUrl } from '@nova/common';
import { createApiApp } from '@nova/compute-api';
import { getLogger } from '@nova/logging';
import { runService } from '@nova/process';

const log = getLogger('nova-all');

/**
 * Seconds between host discoveries when `[scheduler]
 * discover_hosts_in_cells_interval` is negative (Nova's "off"): nova-all is the
 * zero-setup default, so a compute host added to one of its cells is mapped
 * within seconds without `nova-manage cell_v2 discover_hosts`.
 */
const NOVA_ALL_DISCOVER_INTERVAL = 5;

/**
 * Everything in one process and one Nest container (one cache, one cell
 * router): the embedded bootstrap, a cell conductor per cell with a queue
 * (following cells added later), the scheduler, the super conductor,
 * `[fake_driver] host_count` compute hosts in the local cell (the one of
 * `[database] connection`), then the metadata service, the compute API and
 * the console proxies of the consoles switched on. Ready means the compute
 * hosts have reported and are mapped: a server can be booted at once.
 */
void runService({
  name: 'nova-all',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    const app = await createApiApp(config, {
      imports: [
        HostsModule,
        ManageModule,
        ConductorModule,
        SchedulerModule,
        ServersModule,
        ConsoleProxyModule,
        MetadataModule,
      ],
    });
    let computes: ComputeHosts | undefined;
    let metadata: Awaited<ReturnType<typeof listenMetadata>> | undefined;
    const proxies = app.get(ConsoleProxies);
    const proxied: string[] = [];
    try {
      installUpgradeLevels(config, app.get(CellRouter));
      await app.get(EmbeddedBootstrapService).run();
      const conducted = await app.get(CellConductorRunner).startEveryCell();
      const scheduler = app.get(SchedulerRunner);
      const interval = config.scheduler.discover_hosts_in_cells_interval;
      await scheduler.start({
        discoverHostsInterval: interval < 0 ? NOVA_ALL_DISCOVER_INTERVAL : interval,
      });
      await app.get(SuperConductorRunner).start();
      const local = conducted.find((c) => c.databaseConnection === config.database.connection);
      if (local) {
        computes = await ComputeHosts.start(config, local.transportUrl);
        await scheduler.discoverHosts();
      } else {
        log.warn('no conducted cell has [database] connection as its database: no compute hosts');
      }
    } catch (err) {
      await computes?.stop().catch(() => undefined);
      await app.close().catch(() => undefined);
      throw err;
    }
    try {
      metadata = await listenMetadata(app.get(MetadataHandler), config);
      // The console proxies of the consoles switched on ([vnc], [serial_console], [spice] enabled).
      for (const kind of ['novnc', 'serial', 'spicehtml5'] as ProxyKind[]) {
        const settings = proxySettings(kind, config);
        if (settings.enabled) {
          proxied.push(`${settings.name} ${settings.host}:${await proxies.start(kind)}`);
        }
      }
    } catch (err) {
      await metadata?.server.close().catch(() => undefined);
      await proxies.stop().catch(() => undefined);
      await computes?.stop().catch(() => undefined);
      await app.close().catch(() => undefined);
      throw err;
    }
    const cells = await app.get(CellRouter).cells();
    const { osapi_compute_listen: host, osapi_compute_listen_port: port } = config.DEFAULT;
    await app.listen(port, host);
    log.info(
      {
        cells: cells.map((c) => ({
          name: c.name,
          uuid: c.uuid,
          database: maskUrl(c.databaseConnection),
          transport: maskUrl(c.transportUrl),
        })),
        computes: computes?.hosts ?? [],
        api: `http://${host}:${port}/v2.1`,
        metadata: metadata.url,
        consoleProxies: proxied,
      },
      'nova-all ready',
    );
    return {
      close: async () => {
        await metadata?.server.close().catch(() => undefined);
        await proxies.stop().catch(() => undefined);
        await computes?.stop().catch(() => undefined);
        await app.close();
      },
    };
  },
});

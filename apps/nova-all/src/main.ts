#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { CellRouter } from '@nova/cell-router';
import { HostsModule } from '@nova/cells/hosts';
import { EmbeddedBootstrapService, ManageModule } from '@nova/cells/manage';
import { maskUrl } from '@nova/common';
import { createApiApp } from '@nova/compute-api';
import { getLogger } from '@nova/logging';
import { runService } from '@nova/process';

const log = getLogger('nova-all');

/**
 * Everything in one process and one Nest container (one cache, one cell
 * router): the embedded bootstrap, then the compute API.
 */
void runService({
  name: 'nova-all',
  async start(config) {
    const app = await createApiApp(config, { imports: [HostsModule, ManageModule] });
    await app.get(EmbeddedBootstrapService).run();
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
        api: `http://${host}:${port}/v2.1`,
      },
      'nova-all ready',
    );
    return app;
  },
});

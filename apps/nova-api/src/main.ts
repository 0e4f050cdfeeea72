#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { availableParallelism } from 'node:os';
import { CellRouter } from '@nova/cell-router';
import { HostsModule, installUpgradeLevels } from '@nova/cells/hosts';
import { ServersModule } from '@nova/cells/servers';
import { createApiApp } from '@nova/compute-api';
import { getLogger } from '@nova/logging';
import { PolicyEnforcer } from '@nova/policy';
import { runService } from '@nova/process';

void runService({
  name: 'nova-api',
  async start(config) {
    const app = await createApiApp(config, { imports: [HostsModule, ServersModule] });
    installUpgradeLevels(config, app.get(CellRouter));
    const { osapi_compute_listen: host, osapi_compute_listen_port: port } = config.DEFAULT;
    await app.listen(port, host);
    getLogger('nova-api').info({ host, port }, `nova-api listening on http://${host}:${port}`);
    return app;
  },
  workers: (config) => config.DEFAULT.osapi_compute_workers ?? availableParallelism(),
  reload: (app) => app.get(PolicyEnforcer).reload(),
});

import type { INestApplication } from '@nestjs/common';
import { CellRouter } from '@nova/cell-router';
import { HostsModule, installUpgradeLevels } from '@nova/cells/hosts';
import { ServersModule } from '@nova/cells/servers';
import { createApiApp } from '@nova/compute-api';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { PolicyEnforcer } from '@nova/policy';

/** The API application of one serving process, listening. */
export async function serveApi(config: NovaConfig): Promise<INestApplication> {
  const app = await createApiApp(config, { imports: [HostsModule, ServersModule] });
  installUpgradeLevels(config, app.get(CellRouter));
  const { osapi_compute_listen: host, osapi_compute_listen_port: port } = config.DEFAULT;
  await app.listen(port, host);
  getLogger('nova-api').info({ host, port }, `nova-api listening on http://${host}:${port}`);
  return app;
}

/** SIGHUP: the policy file again. */
export function reloadPolicy(app: INestApplication): void {
  app.get(PolicyEnforcer).reload();
}

import { CellMappingRepository, HostMappingRepository } from '@nova/api-db';
import type { ApiClient } from '../../support/api-client';

/** Map compute hosts to a cell, as discover_hosts would (add_host needs mapped hosts). */
export async function mapHosts(api: ApiClient, cellName: string, hosts: string[]): Promise<void> {
  const cell = (await api.app.get(CellMappingRepository, { strict: false }).list()).find(
    (c) => c.name === cellName,
  );
  if (!cell) {
    throw new Error(`no cell named ${cellName}`);
  }
  const mappings = api.app.get(HostMappingRepository, { strict: false });
  for (const host of hosts) {
    await mappings.create(host, cell.id);
  }
}

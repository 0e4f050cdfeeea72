import type { ServiceRow } from '@nova/host-inventory';
import { serviceTimestamp } from '../../views/service.view';

/** The API services are not reported (Nova leaves them out of zone listings too). */
const API_BINARIES = ['nova-osapi_compute', 'nova-metadata'];

export interface ServiceState {
  readonly available: boolean;
  readonly active: boolean;
  readonly updated_at: string | null;
}

export interface ZoneInfo {
  readonly zoneName: string;
  readonly zoneState: { readonly available: boolean };
  readonly hosts: Record<string, Record<string, ServiceState>> | null;
}

/** Zones by name, split into available (some service enabled and up) and the rest, each sorted. */
function splitZones(rows: readonly ServiceRow[]) {
  const byZone = new Map<string, ServiceRow[]>();
  for (const row of rows) {
    byZone.set(row.zone, [...(byZone.get(row.zone) ?? []), row]);
  }
  const names = [...byZone.keys()].sort();
  const isAvailable = (zone: string) =>
    (byZone.get(zone) ?? []).some((r) => !r.service.disabled && r.up);
  return {
    byZone,
    available: names.filter(isAvailable),
    unavailable: names.filter((z) => !isAvailable(z)),
  };
}

/** GET /os-availability-zone: zone names and states, the internal zone hidden. */
export function zoneSummaries(rows: readonly ServiceRow[], internalZone: string): ZoneInfo[] {
  const { available, unavailable } = splitZones(rows);
  const entry = (zoneName: string, isAvailable: boolean): ZoneInfo => ({
    zoneName,
    zoneState: { available: isAvailable },
    hosts: null,
  });
  return [
    ...available.filter((z) => z !== internalZone).map((z) => entry(z, true)),
    ...unavailable.filter((z) => z !== internalZone).map((z) => entry(z, false)),
  ];
}

/**
 * GET /os-availability-zone/detail: every zone; an available one lists its hosts
 * and their enabled services with their liveness.
 */
export function zoneDetails(rows: readonly ServiceRow[]): ZoneInfo[] {
  const { byZone, available, unavailable } = splitZones(rows);
  const detailed = available.map((zoneName): ZoneInfo => {
    const hosts: Record<string, Record<string, ServiceState>> = {};
    const listed = (byZone.get(zoneName) ?? [])
      .filter((r) => !r.service.disabled && !API_BINARIES.includes(r.service.binary ?? ''))
      .sort((a, b) => (a.service.host ?? '').localeCompare(b.service.host ?? ''));
    for (const { service, up } of listed) {
      const host = (hosts[service.host ?? ''] ??= {});
      host[service.binary ?? ''] = {
        available: up,
        active: !service.disabled,
        updated_at: serviceTimestamp(service.updated_at),
      };
    }
    return { zoneName, zoneState: { available: true }, hosts };
  });
  return [
    ...detailed,
    ...unavailable.map((zoneName) => ({ zoneName, zoneState: { available: false }, hosts: null })),
  ];
}

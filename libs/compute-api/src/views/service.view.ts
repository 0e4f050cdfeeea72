import type { MappedHost, ServiceRow } from '@nova/host-inventory';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';

/** Nova's naive UTC timestamps with microseconds ("2026-11-21T20:07:17.000000"). */
export function serviceTimestamp(date: Date | null): string | null {
  return date ? `${new Date(date).toISOString().slice(0, 23)}000` : null;
}

const service = new VersionedView<ServiceRow>()
  .field('binary', (r) => r.service.binary)
  .field('host', (r) => r.service.host)
  .field('id', (r) => r.service.id, { until: '2.52' })
  .field('id', (r) => r.service.uuid, { since: '2.53' })
  .field('zone', (r) => r.zone)
  .field('status', (r) => (r.service.disabled ? 'disabled' : 'enabled'))
  .field('state', (r) => (r.up ? 'up' : 'down'))
  .field('updated_at', (r) => serviceTimestamp(r.service.updated_at))
  .field('disabled_reason', (r) => r.service.disabled_reason)
  .field('forced_down', (r) => r.service.forced_down, { since: '2.11' });

export function serviceView(row: ServiceRow, version: ApiVersion) {
  return service.render(row, version, undefined);
}

/** 2.69: a compute host of a cell that did not answer, known only from its host mapping. */
export function unknownServiceView(host: MappedHost) {
  return { binary: 'nova-compute', host: host.host, status: 'UNKNOWN' };
}

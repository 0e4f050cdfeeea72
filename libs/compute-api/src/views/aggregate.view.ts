import { availabilityZoneOfAggregate, type AggregateRecord } from '@nova/aggregates';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';
import { usageTime } from './servers/formatting';

interface AggregateViewContext {
  /** Create leaves hosts and metadata out (Nova kept its pre-object response). */
  readonly withMembers: boolean;
}

const view = new VersionedView<AggregateRecord, AggregateViewContext>()
  .field('id', (a) => a.id)
  .field('uuid', (a) => a.uuid, { since: '2.41' })
  .field('name', (a) => a.name)
  .field('hosts', (a) => a.hosts, { when: (c) => c.withMembers })
  .field('metadata', (a) => a.metadata, { when: (c) => c.withMembers })
  .field('created_at', (a) => usageTime(a.createdAt))
  .field('updated_at', (a) => usageTime(a.updatedAt))
  // Aggregates are deleted for real; Nova still shows the soft-delete fields.
  .field('deleted_at', () => null)
  .field('deleted', () => false)
  .field('availability_zone', (a) => availabilityZoneOfAggregate(a));

/** An aggregate as list, show, update and the actions return it. */
export function aggregateView(aggregate: AggregateRecord, version: ApiVersion) {
  return view.render(aggregate, version, { withMembers: true });
}

/** An aggregate as create returns it: no hosts, no metadata. */
export function createdAggregateView(aggregate: AggregateRecord, version: ApiVersion) {
  return view.render(aggregate, version, { withMembers: false });
}

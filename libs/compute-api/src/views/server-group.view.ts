import type { ServerGroup } from '@nova/server-groups';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';

/**
 * A server group as Nova shows it: `policies` (a list) and an always-empty
 * `metadata` until 2.63, `policy` and `rules` from 2.64; owner ids from 2.13.
 */
const view = new VersionedView<ServerGroup>()
  .field('id', (g) => g.uuid)
  .field('name', (g) => g.name)
  .field('policies', (g) => (g.policy ? [g.policy] : []), { until: '2.63' })
  .field('metadata', () => ({}), { until: '2.63' })
  .field('policy', (g) => g.policy, { since: '2.64' })
  .field('rules', (g) => g.rules, { since: '2.64' })
  .field('members', (g) => g.members)
  .field('project_id', (g) => g.projectId, { since: '2.13' })
  .field('user_id', (g) => g.userId, { since: '2.13' });

export function serverGroupView(group: ServerGroup, version: ApiVersion) {
  return view.render(group, version, undefined);
}

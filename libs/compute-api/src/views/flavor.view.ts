import type { FlavorWithSpecs } from '@nova/flavors';
import type { ApiVersion } from '../http/api-version';
import type { Link } from '../http/links';
import { VersionedView } from '../http/versioned-view';

export interface FlavorViewContext {
  readonly links: Link[];
  /** Whether the caller may read extra specs (os-flavor-extra-specs:index). */
  readonly showExtraSpecs: boolean;
}

const summary = new VersionedView<FlavorWithSpecs, FlavorViewContext>()
  .field('id', (f) => f.flavorid)
  .field('name', (f) => f.name)
  .field('links', (_, c) => c.links)
  .field('description', (f) => f.description, { since: '2.55' });

const detail = new VersionedView<FlavorWithSpecs, FlavorViewContext>()
  .field('id', (f) => f.flavorid)
  .field('name', (f) => f.name)
  .field('ram', (f) => f.memory_mb)
  .field('disk', (f) => f.root_gb ?? 0)
  .field('swap', (f) => (f.swap ? f.swap : ''), { until: '2.74' })
  .field('swap', (f) => f.swap ?? 0, { since: '2.75' })
  .field('OS-FLV-EXT-DATA:ephemeral', (f) => f.ephemeral_gb ?? 0)
  .field('OS-FLV-DISABLED:disabled', (f) => f.disabled)
  .field('vcpus', (f) => f.vcpus)
  .field('os-flavor-access:is_public', (f) => f.is_public)
  .field('rxtx_factor', (f) => f.rxtx_factor ?? 1.0)
  .field('links', (_, c) => c.links)
  .field('description', (f) => f.description, { since: '2.55' })
  .field('extra_specs', (f) => f.specs, { since: '2.61', when: (c) => c.showExtraSpecs });

export function flavorSummary(f: FlavorWithSpecs, version: ApiVersion, context: FlavorViewContext) {
  return summary.render(f, version, context);
}

export function flavorDetail(f: FlavorWithSpecs, version: ApiVersion, context: FlavorViewContext) {
  return detail.render(f, version, context);
}

export function flavorAccessView(flavorid: string, projects: string[]) {
  return { flavor_access: projects.map((tenant_id) => ({ flavor_id: flavorid, tenant_id })) };
}

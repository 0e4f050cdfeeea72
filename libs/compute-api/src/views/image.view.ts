import type { Image } from '@nova/images';
import type { ApiVersion } from '../http/api-version';
import type { Link } from '../http/links';
import { VersionedView } from '../http/versioned-view';

export interface ImageViewContext {
  /** self, bookmark and alternate (the image service's own URL). */
  readonly links: Link[];
  /** self and bookmark links of a server (for snapshots: property instance_uuid). */
  readonly serverLinks: (serverId: string) => Link[];
}

/** Nova's image status from Glance's: anything it does not know is UNKNOWN. */
const STATUS: Readonly<Record<string, string>> = {
  active: 'ACTIVE',
  queued: 'SAVING',
  saving: 'SAVING',
  deleted: 'DELETED',
  pending_delete: 'DELETED',
  killed: 'ERROR',
};

const PROGRESS: Readonly<Record<string, number>> = { queued: 25, saving: 50, active: 100 };

export function imageStatus(glanceStatus: string): string {
  return STATUS[glanceStatus] ?? 'UNKNOWN';
}

export function imageProgress(glanceStatus: string): number {
  return PROGRESS[glanceStatus] ?? 0;
}

/** Nova prints image times to the second: 2024-01-01T00:00:00Z. */
export function imageTime(iso: string | null): string | null {
  return iso === null ? null : `${iso.slice(0, 19)}Z`;
}

const summary = new VersionedView<Image, ImageViewContext>()
  .field('id', (i) => i.id)
  .field('name', (i) => i.name)
  .field('links', (_, c) => c.links);

const detail = new VersionedView<Image, ImageViewContext>()
  .field('id', (i) => i.id)
  .field('name', (i) => i.name)
  .field('minRam', (i) => i.min_ram)
  .field('minDisk', (i) => i.min_disk)
  .field('metadata', (i) => i.properties)
  .field('created', (i) => imageTime(i.created_at))
  .field('updated', (i) => imageTime(i.updated_at))
  .field('status', (i) => imageStatus(i.status))
  .field('progress', (i) => imageProgress(i.status))
  .field('OS-EXT-IMG-SIZE:size', (i) => i.size)
  .field('links', (_, c) => c.links);

export function imageSummary(image: Image, version: ApiVersion, context: ImageViewContext) {
  return summary.render(image, version, context);
}

/** The detailed view, with `server` for snapshots and `OS-DCF:diskConfig` when the image says. */
export function imageDetail(image: Image, version: ApiVersion, context: ImageViewContext) {
  const out = detail.render(image, version, context);
  const serverId = image.properties['instance_uuid'];
  if (serverId !== undefined) {
    out['server'] = { id: serverId, links: context.serverLinks(serverId) };
  }
  const autoDiskConfig = image.properties['auto_disk_config'];
  if (autoDiskConfig !== undefined) {
    out['OS-DCF:diskConfig'] = /^(1|t|true|on|y|yes)$/i.test(autoDiskConfig.trim())
      ? 'AUTO'
      : 'MANUAL';
  }
  return out;
}

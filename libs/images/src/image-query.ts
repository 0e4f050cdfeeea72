import type { RequestContext } from '@nova/common';
import type { Image, ImageFilters, ImageListQuery } from './image';
import { ImageMarkerNotFound } from './image-errors';

/** Does the image pass every filter given? (Nova's list filters, as Glance applies them.) */
export function matchesFilters(image: Image, filters: ImageFilters = {}): boolean {
  return (
    (filters.name === undefined || image.name === filters.name) &&
    (filters.status === undefined || image.status === filters.status.toLowerCase()) &&
    (filters.minDisk === undefined || image.min_disk >= filters.minDisk) &&
    (filters.minRam === undefined || image.min_ram >= filters.minRam) &&
    (filters.changesSince === undefined ||
      (image.updated_at !== null &&
        Date.parse(image.updated_at) >= filters.changesSince.getTime())) &&
    (filters.instanceUuid === undefined ||
      image.properties['instance_uuid'] === filters.instanceUuid) &&
    (filters.imageType === undefined || image.properties['image_type'] === filters.imageType) &&
    (filters.backupType === undefined || image.properties['backup_type'] === filters.backupType)
  );
}

/**
 * Glance's visibility rules: public and community images are for everyone, the
 * others for their owner's project (admins see all). Lists leave out other
 * projects' community images, as Glance does unless asked for them.
 */
export function visibleTo(ctx: RequestContext, image: Image, listing: boolean): boolean {
  if (ctx.isAdmin || image.visibility === 'public') {
    return true;
  }
  const own = image.owner !== null && image.owner === ctx.projectId;
  return own || (image.visibility === 'community' && !listing);
}

/** Glance's default order: newest first (created_at desc, then id desc). */
export function glanceOrder(a: Image, b: Image): number {
  const ta = a.created_at ?? '';
  const tb = b.created_at ?? '';
  if (ta !== tb) {
    return ta < tb ? 1 : -1;
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * One page of a visible, ordered list: the images after `marker` that pass the
 * filters, up to `limit`. The marker is looked up unfiltered, as Glance does, so
 * changing filters between pages does not break paging.
 */
export function pageOf(images: readonly Image[], query: ImageListQuery): Image[] {
  let start = 0;
  if (query.marker !== undefined) {
    const at = images.findIndex((i) => i.id === query.marker);
    if (at < 0) {
      throw new ImageMarkerNotFound(query.marker);
    }
    start = at + 1;
  }
  const page: Image[] = [];
  for (let i = start; i < images.length && page.length < query.limit; i++) {
    if (matchesFilters(images[i], query.filters)) {
      page.push(images[i]);
    }
  }
  return page;
}

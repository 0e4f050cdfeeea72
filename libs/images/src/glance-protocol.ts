import type { ImageFilters } from './image';

/** `[glance] api_servers` entry as a base URL: scheme added (http), no trailing `/` or `/v2`. */
export function glanceBaseUrl(server: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`;
  return withScheme.replace(/\/+$/, '').replace(/\/v2$/, '');
}

/**
 * The filters Glance v2 applies itself, as query parameters (Nova's translation:
 * changes-since becomes `updated_at=gte:`, server and type become properties).
 * minDisk and minRam are not here: Glance only matches them exactly, so they are
 * applied to the results (see clientSideFilters).
 */
export function glanceListParams(filters: ImageFilters = {}): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.name !== undefined) {
    params['name'] = filters.name;
  }
  if (filters.status !== undefined) {
    params['status'] = filters.status.toLowerCase();
  }
  if (filters.changesSince !== undefined) {
    params['updated_at'] = `gte:${filters.changesSince.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  }
  if (filters.instanceUuid !== undefined) {
    params['instance_uuid'] = filters.instanceUuid;
  }
  if (filters.imageType !== undefined) {
    params['image_type'] = filters.imageType;
  }
  if (filters.backupType !== undefined) {
    params['backup_type'] = filters.backupType;
  }
  return params;
}

/** The filters Glance cannot apply as Nova means them ("at least"). */
export function clientSideFilters(filters: ImageFilters = {}): ImageFilters {
  return {
    ...(filters.minDisk !== undefined ? { minDisk: filters.minDisk } : {}),
    ...(filters.minRam !== undefined ? { minRam: filters.minRam } : {}),
  };
}

/** Glance's error text: the JSON `message` when it sent JSON, else the HTML body stripped. */
export function glanceErrorMessage(body: string): string {
  try {
    const doc = JSON.parse(body) as { message?: unknown; error?: { message?: unknown } };
    const message = doc.message ?? doc.error?.message;
    if (typeof message === 'string') {
      return message.trim();
    }
  } catch {
    // not JSON: webob's HTML page
  }
  return body
    .replace(/<title>[\s\S]*?<\/title>|<h1>[\s\S]*?<\/h1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

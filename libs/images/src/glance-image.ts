import type { Image } from './image';

/**
 * Glance v2 attributes that are not image properties: its schema's core fields
 * and its own bookkeeping. Everything else a v2 image carries is a property.
 */
const NOT_PROPERTIES = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'created_at',
  'updated_at',
  'disk_format',
  'container_format',
  'tags',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'stores',
]);

/** A Glance v2 image document (GET /v2/images/{id}) as a normalized Image. */
export function imageFromGlance(raw: unknown): Image {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TypeError('an image must be an object');
  }
  const doc = raw as Record<string, unknown>;
  if (typeof doc['id'] !== 'string' || doc['id'] === '') {
    throw new TypeError('an image needs a string id');
  }
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!NOT_PROPERTIES.has(key) && value !== null && value !== undefined) {
      properties[key] = propertyText(value);
    }
  }
  return {
    id: doc['id'],
    name: text(doc['name']),
    status: text(doc['status']) ?? 'active',
    size: count(doc['size']),
    min_disk: count(doc['min_disk']) ?? 0,
    min_ram: count(doc['min_ram']) ?? 0,
    disk_format: text(doc['disk_format']),
    container_format: text(doc['container_format']),
    visibility: text(doc['visibility']) ?? 'public',
    owner: text(doc['owner']),
    protected: doc['protected'] === true,
    created_at: timestamp(doc['created_at']),
    updated_at: timestamp(doc['updated_at']),
    properties,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A non-negative integer (Glance sends numbers; hand-written catalogs may send strings). */
function count(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function timestamp(value: unknown): string | null {
  if (typeof value !== 'string' && !(value instanceof Date)) {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Glance v2 property values are strings; anything else is rendered as text. */
function propertyText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value) ?? '';
}

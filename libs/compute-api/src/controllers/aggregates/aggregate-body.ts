import { AggregateNotFound } from '@nova/aggregates';
import { Invalid } from '@nova/common';
import { CacheImagesBody, CreateAggregateBody, UpdateAggregateBody } from '../../dto/aggregate.dto';
import { NAME_PATTERN } from '../../dto/validators';
import { pyRepr, pyStr } from '../../http/py-repr';
import { validateBody } from '../../http/validation';

/** Zone names: printable, no ':' (it separates zone and host), no outer whitespace. */
const AZ_NAME = /^(?!\s)[^\p{Cc}:]*(?<!\s)$/u;
/** Update names may carry outer whitespace (stripped) but need a visible character. */
const PADDED_NAME = /^[^\p{Cc}]*[^\p{Cc}\s][^\p{Cc}]*$/u;
/** Nova's metadata keys (the `9-_` range is in Nova's pattern too). */
const METADATA_KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

const NAME_REASON = 'printable characters. Can not start or end with whitespace.';
const PADDED_NAME_REASON = 'printable characters with at least one non space character';
const AZ_REASON = 'printable characters except :.Can not start or end with whitespace.';

function assertName(value: string, pattern: RegExp, reason: string): void {
  if (!pattern.test(value)) {
    throw new Invalid(`An invalid 'name' value was provided. The name must be: ${reason}`);
  }
}

/**
 * The integer id of /os-aggregates/{id} (Python's int() rules: outer spaces and a
 * sign allowed). Not an integer is 400; an id no row can have is 404.
 */
export function aggregateId(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) {
    throw new Invalid('Invalid input received: id must be an integer');
  }
  const id = Number(text.trim());
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647) {
    throw new AggregateNotFound(text.trim());
  }
  return id;
}

export function createAggregateBody(body: unknown): {
  name: string;
  availabilityZone: string | null;
} {
  const { aggregate } = validateBody(CreateAggregateBody, body);
  assertName(aggregate.name, NAME_PATTERN, NAME_REASON);
  const zone = aggregate.availability_zone ?? null;
  if (zone !== null) {
    assertName(zone, AZ_NAME, AZ_REASON);
  }
  return { name: aggregate.name.trim(), availabilityZone: zone ? zone.trim() : null };
}

export function updateAggregateBody(body: unknown): {
  name?: string;
  availabilityZone?: string | null;
} {
  const { aggregate } = validateBody(UpdateAggregateBody, body);
  const given = body as { aggregate: Record<string, unknown> };
  if (!('name' in given.aggregate) && !('availability_zone' in given.aggregate)) {
    throw new Invalid(
      `Invalid input for field/attribute aggregate. Value: ${pyStr(given.aggregate)}. ${pyRepr(given.aggregate)} is not valid under any of the given schemas`,
    );
  }
  if (aggregate.name !== undefined) {
    assertName(aggregate.name, PADDED_NAME, PADDED_NAME_REASON);
  }
  const zone = aggregate.availability_zone;
  if (typeof zone === 'string') {
    assertName(zone, AZ_NAME, AZ_REASON);
  }
  return {
    ...(aggregate.name !== undefined ? { name: aggregate.name.trim() } : {}),
    ...('availability_zone' in given.aggregate ? { availabilityZone: zone ?? null } : {}),
  };
}

/** set_metadata's map: keys of 1-255 safe characters, values strings of at most 255 or null. */
export function aggregateMetadataFrom(map: unknown): Record<string, string | null> {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new Invalid(
      `Invalid input for field/attribute metadata. Value: ${pyStr(map)}. ${pyRepr(map)} is not of type 'object'`,
    );
  }
  const metadata: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    if (!METADATA_KEY.test(key)) {
      throw new Invalid(
        `Invalid input for field/attribute metadata. Value: ${pyStr(map)}. Additional properties are not allowed ('${key}' was unexpected)`,
      );
    }
    if (value !== null && typeof value !== 'string') {
      throw new Invalid(
        `Invalid input for field/attribute ${key}. Value: ${pyStr(value)}. ${pyRepr(value)} is not of type 'string', 'null'`,
      );
    }
    if (value !== null && value.length > 255) {
      throw new Invalid(
        `Invalid input for field/attribute ${key}. Value: ${value}. ${pyRepr(value)} is too long`,
      );
    }
    metadata[key] = value;
  }
  return metadata;
}

/** The image ids of an image-cache request: valid and each listed once. */
export function cachedImageIds(body: unknown): string[] {
  const cache = (body as { cache?: unknown } | null)?.cache;
  if (Array.isArray(cache)) {
    const item: unknown = cache.find(
      (i) => i === null || typeof i !== 'object' || Array.isArray(i),
    );
    if (item !== undefined) {
      throw new Invalid(
        `Invalid input for field/attribute ${cache.indexOf(item)}. Value: ${pyStr(item)}. ${pyRepr(item)} is not of type 'object'`,
      );
    }
  }
  const ids = validateBody(CacheImagesBody, body).cache.map((image) => image.id);
  if (new Set(ids).size !== ids.length) {
    throw new Invalid('Duplicate images in request');
  }
  return ids;
}

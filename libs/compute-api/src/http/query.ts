import type { FastifyRequest } from 'fastify';
import { Invalid } from '@nova/common';
import type { ApiVersion } from './api-version';

export type Query = Record<string, string | string[] | undefined>;

export function queryOf(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

/** The last value of a (possibly repeated) query parameter. */
export function single(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function all(query: Query, name: string): string[] {
  const value = query[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Unknown query parameters are ignored before `strictFrom` (2.75 for most APIs)
 * and rejected from it on, as Nova's query schemas do.
 */
export function checkQueryKeys(
  query: Query,
  allowed: readonly string[],
  version: ApiVersion,
  strictFrom = '2.75',
): void {
  if (!version.atLeast(strictFrom)) {
    return;
  }
  const unexpected = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unexpected.length > 0) {
    throw new Invalid(
      `Invalid input for query parameters ${unexpected[0]}. Value: ${String(single(query, unexpected[0]))}. Additional properties are not allowed ('${unexpected.join("', '")}' was unexpected)`,
    );
  }
}

export interface Page {
  readonly limit: number;
  readonly marker?: string;
}

/** `limit` (non-negative integer, capped at `[api] max_limit`) and `marker`. */
export function pageOf(query: Query, maxLimit: number): Page {
  const limitText = single(query, 'limit');
  let limit = maxLimit;
  if (limitText !== undefined) {
    if (!/^-?\d+$/.test(limitText)) {
      throw new Invalid('limit param must be an integer');
    }
    const parsed = Number(limitText);
    if (parsed < 0) {
      throw new Invalid('limit param must be positive');
    }
    limit = Math.min(parsed, maxLimit);
  }
  const marker = single(query, 'marker');
  return { limit, ...(marker !== undefined ? { marker } : {}) };
}

/** oslo's strutils.bool_from_string, strict: anything else is 400. */
export function boolParam(value: string, name: string): boolean {
  const lower = value.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(lower)) {
    return true;
  }
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(lower)) {
    return false;
  }
  throw new Invalid(
    `Invalid value for ${name}: '${value}'. Accepted values are 'true' and 'false'.`,
  );
}

/** A non-negative integer query parameter (minRam, minDisk...). */
export function intParam(value: string, name: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new Invalid(`Invalid ${name} filter [${value}]`);
  }
  return Number(value);
}

import { SetMetadata } from '@nestjs/common';
import type { ApiVersion } from './api-version';
import { checkQueryKeys, type Query } from './query';

export const QUERY_KEY = 'nova:query';

/** One query parameter: the microversions it exists in and its JSON Schema (a string by default). */
export interface QueryParam {
  readonly name: string;
  readonly since?: string;
  readonly until?: string;
  /** A function when the schema itself changes with the microversion (an enum growing). */
  readonly schema?: JsonSchema | ((version: ApiVersion) => JsonSchema);
}

type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * The query parameters a route takes, per microversion: the parser refuses
 * the others by it (from `strictFrom`, 2.75 for most of Nova's query schemas;
 * null: never) and the OpenAPI document lists them.
 */
export class QuerySchema {
  constructor(
    readonly params: readonly QueryParam[],
    readonly strictFrom: string | null = '2.75',
  ) {}

  at(version: ApiVersion): QueryParam[] {
    return this.params.filter((p) => version.within(p.since, p.until));
  }

  names(version: ApiVersion): string[] {
    return this.at(version).map((p) => p.name);
  }

  /** Unknown parameters are 400 from `strictFrom` on (Nova's additionalProperties: false). */
  check(query: Query, version: ApiVersion): void {
    if (this.strictFrom !== null) {
      checkQueryKeys(query, this.names(version), version, this.strictFrom);
    }
  }
}

/** The query schema a route's parser checks with (read by the OpenAPI document). */
export const QueryParams = (schema: QuerySchema) => SetMetadata(QUERY_KEY, schema);

/** Schemas of the parameters many lists share. */
export const LIMIT = { type: 'integer', minimum: 0 } as const;
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;
export const SORT_DIR = { type: 'string', enum: ['asc', 'desc'] } as const;

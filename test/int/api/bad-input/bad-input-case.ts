import type { ApiClient, Persona } from '../../../support/api-client';

/** A malformed request and the 4xx fault Nova answers it with. */
export interface BadInputCase {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly body?: unknown;
  /** A raw payload instead of JSON (content type application/json unless headers say otherwise). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  readonly version?: string;
  readonly as?: Persona;
  readonly status: number;
  readonly fault: string;
}

export interface BadInputSuite {
  readonly resource: string;
  readonly setup?: (api: ApiClient) => Promise<void>;
  readonly cases: readonly BadInputCase[];
}

/** `count` cases, one per value, for one field of a body. */
export function eachValue(
  base: Omit<BadInputCase, 'name' | 'body'>,
  name: string,
  values: readonly unknown[],
  body: (value: unknown) => unknown,
): BadInputCase[] {
  return values.map((value) => ({
    ...base,
    name: `${name} = ${JSON.stringify(value) ?? 'undefined'}`,
    body: body(value),
  }));
}

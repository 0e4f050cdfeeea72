import type { ApiClient, Persona } from '../../../support/api-client';

export type Fixtures = Record<string, string>;

/** One route, and the status each persona gets (personas run other, reader, member, manager, admin). */
export interface PolicyCase {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string | ((fx: Fixtures, persona: Persona) => string);
  /** A body, or a function of the fixtures and persona returning one. */
  readonly body?: unknown;
  readonly version?: string;
  readonly expect: Partial<Record<Persona, number>>;
}

export interface PolicySuite {
  readonly resource: string;
  /** Create what the cases refer to (as admin unless stated); returns names for the URLs. */
  readonly setup?: (api: ApiClient) => Promise<Fixtures>;
  readonly cases: readonly PolicyCase[];
}

/** Personas in the order the runner tries them: refusals first, so the allowed ones find the resource intact. */
export const PERSONA_ORDER: Persona[] = ['other', 'reader', 'member', 'manager', 'admin'];

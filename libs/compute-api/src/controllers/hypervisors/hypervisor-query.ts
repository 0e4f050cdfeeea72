import { Invalid, NotFound } from '@nova/common';
import type { RecordRef } from '@nova/host-inventory';
import type { ApiVersion } from '../../http/api-version';
import { pageOf, type Query } from '../../http/query';
import { LIMIT, QuerySchema } from '../../http/query-schema';
import { pyRepr } from '../../http/py-repr';
import { uuidLike } from '../../http/uuid-like';

/** Nova's parameter_types.boolean spellings. */
const BOOLEANS: Record<string, boolean> = Object.fromEntries([
  ...['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes'].map(
    (s): [string, boolean] => [s, true],
  ),
  ...['False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'].map(
    (s): [string, boolean] => [s, false],
  ),
]);

/** Nova's parameter_types.fqdn. */
const HOSTNAME_PATTERN = /^[a-zA-Z0-9-._]*$/;

export interface HypervisorListQuery {
  readonly limit?: number;
  readonly marker?: string;
  readonly pattern?: string;
  readonly withServers: boolean;
}

function invalid(name: string, value: unknown, reason: string): Invalid {
  return new Invalid(
    `Invalid input for query parameters ${name}. Value: ${String(value)}. ${reason}`,
  );
}

/** A query parameter given at most once (Nova's single_param). */
function once(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw invalid(name, pyRepr(value), `${pyRepr(value)} is too long`);
    }
    return value[0];
  }
  return value;
}

function withServersOf(query: Query): boolean {
  const text = once(query, 'with_servers');
  if (text === undefined) {
    return false;
  }
  const value = BOOLEANS[text];
  if (value === undefined) {
    throw invalid('with_servers', text, `'${text}' is not one of the accepted boolean values`);
  }
  return value;
}

const WITH_SERVERS = { name: 'with_servers', since: '2.53', schema: { type: 'boolean' } };

export const HYPERVISOR_LIST_QUERY = new QuerySchema(
  [
    { name: 'limit', since: '2.33', schema: LIMIT },
    { name: 'marker', since: '2.33' },
    { name: 'hypervisor_hostname_pattern', since: '2.53' },
    WITH_SERVERS,
  ],
  '2.53',
);

export const HYPERVISOR_SHOW_QUERY = new QuerySchema([WITH_SERVERS], '2.53');

/**
 * GET /os-hypervisors[/detail]: no paging before 2.33; limit and marker from 2.33;
 * from 2.53 hypervisor_hostname_pattern and with_servers, and nothing else.
 */
export function hypervisorListQuery(
  query: Query,
  version: ApiVersion,
  maxLimit: number,
): HypervisorListQuery {
  if (!version.atLeast('2.33')) {
    return { withServers: false };
  }
  if (!version.atLeast('2.53')) {
    return { ...pageOf(query, maxLimit), withServers: false };
  }
  HYPERVISOR_LIST_QUERY.check(query, version);
  const limitText = once(query, 'limit');
  const marker = once(query, 'marker');
  const pattern = once(query, 'hypervisor_hostname_pattern');
  if (pattern !== undefined) {
    if (pattern.length < 1 || pattern.length > 255 || !HOSTNAME_PATTERN.test(pattern)) {
      throw invalid(
        'hypervisor_hostname_pattern',
        pattern,
        `'${pattern}' does not match '${HOSTNAME_PATTERN.source}'`,
      );
    }
    if (limitText !== undefined || marker) {
      throw new Invalid(
        'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.',
      );
    }
  }
  const page = pageOf(
    {
      ...(limitText !== undefined ? { limit: limitText } : {}),
      ...(marker !== undefined ? { marker } : {}),
    },
    maxLimit,
  );
  return {
    ...(pattern === undefined ? page : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    withServers: withServersOf(query),
  };
}

/** GET /os-hypervisors/{id}: with_servers (and nothing else) from 2.53; anything before. */
export function hypervisorShowQuery(query: Query, version: ApiVersion): { withServers: boolean } {
  if (!version.atLeast('2.53')) {
    return { withServers: false };
  }
  HYPERVISOR_SHOW_QUERY.check(query, version);
  return { withServers: withServersOf(query) };
}

/** A hypervisor id from the URL: a uuid from 2.53 (else 400), an integer before (else 404). */
export function hypervisorRef(id: string, version: ApiVersion): RecordRef {
  if (version.atLeast('2.53')) {
    const uuid = uuidLike(id);
    if (uuid === null) {
      throw new Invalid(`Invalid uuid ${id}`);
    }
    return { uuid };
  }
  if (!/^\s*[-+]?\d+\s*$/.test(id) || !Number.isSafeInteger(Number(id))) {
    throw new NotFound(`Hypervisor with ID '${id}' could not be found.`);
  }
  return { id: Number(id) };
}

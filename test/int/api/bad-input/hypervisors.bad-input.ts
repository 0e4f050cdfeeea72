import { HostSeed } from '../../../support/host-seed';
import type { BadInputCase, BadInputSuite } from './bad-input-case';

const DOWN_NODE = 'b2000000-0000-4000-8000-000000000001';
const UNKNOWN = 'b2000000-0000-4000-8000-0000000000ff';

const bad = { status: 400, fault: 'badRequest' };
const notFound = { status: 404, fault: 'itemNotFound' };
const get = (name: string, url: string, version: string, expected = bad): BadInputCase => ({
  name,
  method: 'GET',
  url,
  version,
  ...expected,
});

const listCases: BadInputCase[] = [
  get('limit negative (2.33)', '/v2.1/os-hypervisors?limit=-1', '2.33'),
  get('limit not a number (2.33)', '/v2.1/os-hypervisors?limit=abc', '2.33'),
  get('limit a fraction (2.33)', '/v2.1/os-hypervisors/detail?limit=1.5', '2.33'),
  get('unknown integer marker (2.33)', '/v2.1/os-hypervisors?marker=987654', '2.33'),
  get('marker not an id (2.33)', '/v2.1/os-hypervisors?marker=nope', '2.33'),
  get('unknown uuid marker (2.53)', `/v2.1/os-hypervisors?marker=${UNKNOWN}`, '2.53'),
  get('limit twice (2.53)', '/v2.1/os-hypervisors?limit=1&limit=2', '2.53'),
  get('with_servers not a boolean', '/v2.1/os-hypervisors?with_servers=maybe', '2.53'),
  get('with_servers twice', '/v2.1/os-hypervisors?with_servers=1&with_servers=0', '2.53'),
  get('empty hostname pattern', '/v2.1/os-hypervisors?hypervisor_hostname_pattern=', '2.53'),
  get(
    'hostname pattern with a space',
    '/v2.1/os-hypervisors?hypervisor_hostname_pattern=a%20b',
    '2.53',
  ),
  get(
    'hostname pattern too long',
    `/v2.1/os-hypervisors?hypervisor_hostname_pattern=${'x'.repeat(256)}`,
    '2.53',
  ),
  get(
    'hostname pattern with a limit',
    '/v2.1/os-hypervisors?hypervisor_hostname_pattern=bi&limit=1',
    '2.53',
  ),
  get(
    'hostname pattern with a marker',
    `/v2.1/os-hypervisors/detail?hypervisor_hostname_pattern=bi&marker=${DOWN_NODE}`,
    '2.53',
  ),
  get('unknown query parameter (2.53)', '/v2.1/os-hypervisors/detail?colour=red', '2.53'),
  get(
    'no hostname matches',
    '/v2.1/os-hypervisors?hypervisor_hostname_pattern=nomatch',
    '2.53',
    notFound,
  ),
];

const showCases: BadInputCase[] = [
  get('show: not an integer before 2.53', '/v2.1/os-hypervisors/abc', '2.1', notFound),
  get('show: a uuid before 2.53', `/v2.1/os-hypervisors/${DOWN_NODE}`, '2.52', notFound),
  get('show: unknown id', '/v2.1/os-hypervisors/987654', '2.1', notFound),
  get('show: not a uuid from 2.53', '/v2.1/os-hypervisors/12', '2.53'),
  get('show: unknown uuid', `/v2.1/os-hypervisors/${UNKNOWN}`, '2.53', notFound),
  get('show: unknown query parameter', `/v2.1/os-hypervisors/${DOWN_NODE}?colour=1`, '2.53'),
  get(
    'show: with_servers not a boolean',
    `/v2.1/os-hypervisors/${DOWN_NODE}?with_servers=2`,
    '2.53',
  ),
];

const legacyCases: BadInputCase[] = [
  get('statistics at 2.88', '/v2.1/os-hypervisors/statistics', '2.88', notFound),
  get('uptime at 2.88', `/v2.1/os-hypervisors/${DOWN_NODE}/uptime`, '2.88', notFound),
  get('uptime of a down host', `/v2.1/os-hypervisors/${DOWN_NODE}/uptime`, '2.53'),
  get('uptime: not a uuid', '/v2.1/os-hypervisors/abc/uptime', '2.53'),
  get('uptime: unknown id', '/v2.1/os-hypervisors/987654/uptime', '2.1', notFound),
  get('search at 2.53', '/v2.1/os-hypervisors/bi/search', '2.53', notFound),
  get('servers at 2.53', '/v2.1/os-hypervisors/bi/servers', '2.53', notFound),
  get('search: no match', '/v2.1/os-hypervisors/nomatch/search', '2.1', notFound),
  get('servers: no match', '/v2.1/os-hypervisors/nomatch/servers', '2.1', notFound),
  {
    name: 'detail as a member',
    method: 'GET',
    url: '/v2.1/os-hypervisors/detail',
    as: 'member',
    status: 403,
    fault: 'forbidden',
  },
  {
    name: 'POST on the collection',
    method: 'POST',
    url: '/v2.1/os-hypervisors',
    body: {},
    status: 405,
    fault: 'badMethod',
  },
  {
    name: 'DELETE a hypervisor',
    method: 'DELETE',
    url: `/v2.1/os-hypervisors/${DOWN_NODE}`,
    version: '2.53',
    status: 405,
    fault: 'badMethod',
  },
];

export const hypervisorsBadInput: BadInputSuite = {
  resource: 'hypervisors',
  setup: async (api) => {
    const seed = new HostSeed(api);
    const service = await seed.service('cell1', {
      host: 'bi-down',
      binary: 'nova-compute',
      last_seen_up: new Date(Date.now() - 24 * 3600_000),
      updated_at: new Date(Date.now() - 24 * 3600_000),
    });
    await seed.node('cell1', { host: 'bi-down', service_id: service.id, uuid: DOWN_NODE });
  },
  cases: [...listCases, ...showCases, ...legacyCases],
};

import { HostSeed } from '../../../support/host-seed';
import { eachValue, type BadInputCase, type BadInputSuite } from './bad-input-case';

const CONDUCTOR = 'b1000000-0000-4000-8000-000000000001';
const BUSY_COMPUTE = 'b1000000-0000-4000-8000-000000000002';
const UNKNOWN = 'b1000000-0000-4000-8000-0000000000ff';

const valid = { host: 'bi-busy', binary: 'nova-compute' };
const bad = { status: 400, fault: 'badRequest' };
const disable = { method: 'PUT' as const, url: '/v2.1/os-services/disable', ...bad };
const withReason = { method: 'PUT' as const, url: '/v2.1/os-services/disable-log-reason', ...bad };
const forceDown = {
  method: 'PUT' as const,
  url: '/v2.1/os-services/force-down',
  version: '2.11',
  ...bad,
};
const byUuid = {
  method: 'PUT' as const,
  url: `/v2.1/os-services/${BUSY_COMPUTE}`,
  version: '2.53',
  ...bad,
};

const actionCases: BadInputCase[] = [
  ...eachValue(
    disable,
    'host',
    [12, '', 'a b', 'x'.repeat(256), null, true, ['a'], { a: 1 }, 'tab\there', 'semi;colon'],
    (host) => ({ ...valid, host }),
  ),
  ...eachValue(disable, 'binary', [12, '', 'x'.repeat(256), null, false], (binary) => ({
    ...valid,
    binary,
  })),
  ...eachValue(withReason, 'disabled_reason', ['', 'x'.repeat(256), 5, null], (reason) => ({
    ...valid,
    disabled_reason: reason,
  })),
  ...eachValue(forceDown, 'forced_down', ['maybe', 2, null, 'TrUe'], (forced) => ({
    ...valid,
    forced_down: forced,
  })),
  { ...disable, name: 'missing host', body: { binary: 'nova-compute' } },
  { ...disable, name: 'missing binary', body: { host: 'bi-busy' } },
  { ...disable, name: 'unknown field', body: { ...valid, colour: 'red' } },
  { ...disable, name: 'body is a list', body: [valid] },
  { ...disable, name: 'body is a string', body: 'bi-busy' },
  { ...disable, name: 'body is not JSON', raw: '{"host": ' },
  { ...disable, name: 'forced_down before 2.11', body: { ...valid, forced_down: true } },
  { ...withReason, name: 'disable-log-reason without a reason', body: valid },
  { ...forceDown, name: 'force-down without forced_down', body: valid },
  { ...disable, name: 'a conductor', body: { host: 'bi-ctl', binary: 'nova-conductor' } },
  {
    ...disable,
    name: 'unknown host',
    body: { host: 'bi-ghost', binary: 'nova-compute' },
    status: 404,
    fault: 'itemNotFound',
  },
  {
    ...disable,
    name: 'unknown action',
    url: '/v2.1/os-services/reboot',
    body: valid,
    status: 404,
    fault: 'itemNotFound',
  },
  {
    ...forceDown,
    name: 'force-down before 2.11',
    version: '2.10',
    body: valid,
    status: 404,
    fault: 'itemNotFound',
  },
  { ...disable, name: 'an action from 2.53', version: '2.53', body: { status: 'disabled' } },
];

const uuidCases: BadInputCase[] = [
  ...eachValue(byUuid, 'status', ['on', 'Enabled', 5, null, true], (status) => ({ status })),
  ...eachValue(byUuid, 'forced_down (2.53)', ['x', 3, null], (forced) => ({
    forced_down: forced,
  })),
  { ...byUuid, name: 'empty reason', body: { status: 'disabled', disabled_reason: '' } },
  { ...byUuid, name: 'nothing to update', body: {} },
  { ...byUuid, name: 'only a reason', body: { disabled_reason: 'why' } },
  { ...byUuid, name: 'enabled with a reason', body: { status: 'enabled', disabled_reason: 'x' } },
  { ...byUuid, name: 'pre-2.53 body', body: valid },
  {
    ...byUuid,
    name: 'a conductor by uuid',
    url: `/v2.1/os-services/${CONDUCTOR}`,
    body: { status: 'disabled' },
  },
  { ...byUuid, name: 'not a uuid', url: '/v2.1/os-services/12', body: { status: 'disabled' } },
  {
    ...byUuid,
    name: 'unknown uuid',
    url: `/v2.1/os-services/${UNKNOWN}`,
    body: { status: 'disabled' },
    status: 404,
    fault: 'itemNotFound',
  },
];

const deleteCases: BadInputCase[] = [
  { method: 'DELETE', url: '/v2.1/os-services/abc', name: 'delete: not an integer', ...bad },
  { method: 'DELETE', url: '/v2.1/os-services/1.5', name: 'delete: a fraction', ...bad },
  {
    method: 'DELETE',
    url: `/v2.1/os-services/${BUSY_COMPUTE}`,
    name: 'delete: a uuid before 2.53',
    ...bad,
  },
  {
    method: 'DELETE',
    url: '/v2.1/os-services/77',
    version: '2.53',
    name: 'delete: an integer from 2.53',
    ...bad,
  },
  {
    method: 'DELETE',
    url: '/v2.1/os-services/987654',
    name: 'delete: unknown id',
    status: 404,
    fault: 'itemNotFound',
  },
  {
    method: 'DELETE',
    url: `/v2.1/os-services/${BUSY_COMPUTE}`,
    version: '2.53',
    name: 'delete: a compute hosting instances',
    status: 409,
    fault: 'conflictingRequest',
  },
  {
    method: 'DELETE',
    url: `/v2.1/os-services/${BUSY_COMPUTE}`,
    version: '2.53',
    as: 'member',
    name: 'delete: not an admin',
    status: 403,
    fault: 'forbidden',
  },
];

const listCases: BadInputCase[] = [
  {
    method: 'GET',
    url: '/v2.1/os-services?colour=red',
    version: '2.75',
    name: 'list: unknown query parameter from 2.75',
    ...bad,
  },
  {
    method: 'GET',
    url: '/v2.1/os-services',
    as: 'reader',
    name: 'list: a reader',
    status: 403,
    fault: 'forbidden',
  },
  {
    method: 'POST',
    url: '/v2.1/os-services',
    body: valid,
    name: 'POST on the collection',
    status: 405,
    fault: 'badMethod',
  },
  {
    method: 'GET',
    url: '/v2.1/os-services',
    version: '2.94',
    name: 'list: microversion out of range',
    status: 406,
    fault: 'computeFault',
  },
];

export const servicesBadInput: BadInputSuite = {
  resource: 'services',
  setup: async (api) => {
    const seed = new HostSeed(api);
    await seed.service('cell1', { host: 'bi-ctl', binary: 'nova-conductor', uuid: CONDUCTOR });
    await seed.compute('cell1', 'bi-busy', { uuid: BUSY_COMPUTE });
    await seed.instance('cell1', { host: 'bi-busy', node: 'bi-busy' });
  },
  cases: [...actionCases, ...uuidCases, ...deleteCases, ...listCases],
};

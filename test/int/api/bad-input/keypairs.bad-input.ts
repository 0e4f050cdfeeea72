import { POLICY_TEST_KEY as KEY } from '../policy/keypairs.policy';
import { eachValue, type BadInputCase, type BadInputSuite } from './bad-input-case';

const KEYS = '/v2.1/os-keypairs';
const create = {
  method: 'POST' as const,
  url: KEYS,
  as: 'member' as const,
  status: 400,
  fault: 'badRequest',
};
const at = (version: string) => ({ ...create, version });
const withField = (field: string) => (value: unknown) => ({
  keypair: { name: 'bi-new', public_key: KEY, [field]: value },
});
const CERT_GARBAGE = '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJ\n-----END CERTIFICATE-----\n';

const createCases: BadInputCase[] = [
  ...eachValue(
    create,
    'name',
    [12, '', ' lead', 'trail ', 'x'.repeat(256), null, true, ['a'], { a: 1 }, 'a/b', 'tab\there'],
    withField('name'),
  ),
  ...eachValue(create, 'name (2.1)', ['a@b', 'a.b', 'ünï', 'semi;colon'], withField('name')),
  ...eachValue(at('2.91'), 'name (2.91)', ['me@host', 'dotted.name'], withField('name')),
  ...eachValue(at('2.92'), 'name (2.92)', ['a/b', 'a:b', ' x', 'ünï'], withField('name')),
  ...eachValue(
    create,
    'public_key',
    [5, null, true, [], {}, '', 'garbage', 'ssh-rsa AAAA', ` ${KEY}`, CERT_GARBAGE],
    withField('public_key'),
  ),
  {
    ...create,
    name: 'public_key over 64 KiB (a valid key with a huge comment)',
    body: { keypair: { name: 'bi-new', public_key: `${KEY} ${'c'.repeat(70000)}` } },
  },
  ...eachValue(at('2.2'), 'type', ['pgp', 'SSH', '', 5, null], withField('type')),
  ...eachValue(at('2.10'), 'user_id', [5, null, ['demo'], 'u'.repeat(256)], withField('user_id')),
  { ...create, name: 'type before 2.2', body: withField('type')('ssh') },
  { ...at('2.9'), name: 'user_id before 2.10', body: withField('user_id')('demo') },
  {
    ...at('2.2'),
    name: 'x509 type with an ssh key',
    body: { keypair: { name: 'bi-new', type: 'x509', public_key: KEY } },
  },
  { ...at('2.92'), name: 'no public_key at 2.92', body: { keypair: { name: 'bi-new' } } },
  {
    ...at('2.92'),
    name: 'x509 generation at 2.92',
    body: { keypair: { name: 'bi-new', type: 'x509' } },
  },
  { ...create, name: 'missing name', body: { keypair: { public_key: KEY } } },
  { ...create, name: 'unknown field', body: { keypair: { name: 'bi-new', colour: 'red' } } },
  { ...create, name: 'unknown root key', body: { keypair: { name: 'bi-new' }, extra: 1 } },
  { ...create, name: 'missing root key', body: { key_pair: { name: 'bi-new' } } },
  { ...create, name: 'keypair is a string', body: { keypair: 'bi-new' } },
  { ...create, name: 'keypair is null', body: { keypair: null } },
  { ...create, name: 'keypair is a list', body: { keypair: [{ name: 'bi-new' }] } },
  { ...create, name: 'body is a list', body: [{ keypair: { name: 'bi-new' } }] },
  { ...create, name: 'bad JSON', raw: '{"keypair": {"name": ' },
  { ...create, name: 'empty body', raw: '' },
  {
    ...create,
    name: 'text/plain body',
    raw: 'name=bi-new',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    fault: 'badMediaType',
  },
  {
    ...create,
    name: 'duplicate name',
    body: { keypair: { name: 'bi-kp', public_key: KEY } },
    status: 409,
    fault: 'conflictingRequest',
  },
  {
    ...at('2.10'),
    name: 'create for another user as a member',
    body: { keypair: { name: 'bi-new', public_key: KEY, user_id: 'other' } },
    status: 403,
    fault: 'forbidden',
  },
];

const get = { method: 'GET' as const, as: 'member' as const, status: 400, fault: 'badRequest' };
const queryCases: BadInputCase[] = [
  { ...get, name: 'list limit=abc (2.35)', url: `${KEYS}?limit=abc`, version: '2.35' },
  { ...get, name: 'list limit=-1 (2.35)', url: `${KEYS}?limit=-1`, version: '2.35' },
  { ...get, name: 'list limit=1.5 (2.35)', url: `${KEYS}?limit=1.5`, version: '2.35' },
  { ...get, name: 'list limit= (2.35)', url: `${KEYS}?limit=`, version: '2.35' },
  { ...get, name: 'list unknown marker (2.35)', url: `${KEYS}?marker=none-such`, version: '2.35' },
  { ...get, name: 'list unknown param (2.75)', url: `${KEYS}?colour=red`, version: '2.75' },
  { ...get, name: 'list sort_key (2.75)', url: `${KEYS}?sort_key=name`, version: '2.75' },
  { ...get, name: 'show unknown param (2.75)', url: `${KEYS}/bi-kp?limit=1`, version: '2.75' },
  {
    ...get,
    name: 'delete unknown param (2.75)',
    method: 'DELETE',
    url: `${KEYS}/bi-kp?marker=x`,
    version: '2.75',
  },
  {
    ...get,
    name: "list another user's as a member (2.10)",
    url: `${KEYS}?user_id=other`,
    version: '2.10',
    status: 403,
    fault: 'forbidden',
  },
  {
    ...get,
    name: "show another user's as a member (2.10)",
    url: `${KEYS}/bi-kp?user_id=other`,
    version: '2.10',
    status: 403,
    fault: 'forbidden',
  },
  {
    ...get,
    name: "delete another user's as a member (2.10)",
    method: 'DELETE',
    url: `${KEYS}/bi-kp?user_id=admin`,
    version: '2.10',
    status: 403,
    fault: 'forbidden',
  },
];

const missing = { as: 'member' as const, status: 404, fault: 'itemNotFound' };
const itemCases: BadInputCase[] = [
  { ...missing, name: 'show a missing keypair', method: 'GET', url: `${KEYS}/none-such` },
  { ...missing, name: 'delete a missing keypair', method: 'DELETE', url: `${KEYS}/none-such` },
  {
    ...missing,
    name: "show another user's keypair",
    method: 'GET',
    url: `${KEYS}/bi-kp`,
    as: 'other',
  },
  {
    ...missing,
    name: "delete another user's keypair",
    method: 'DELETE',
    url: `${KEYS}/bi-kp`,
    as: 'other',
  },
  {
    ...missing,
    name: 'show with user_id before 2.10 (ignored)',
    method: 'GET',
    url: `${KEYS}/bi-kp?user_id=demo`,
    as: 'admin',
    version: '2.9',
  },
  {
    name: 'PUT a keypair',
    method: 'PUT',
    url: `${KEYS}/bi-kp`,
    as: 'member',
    body: { keypair: { name: 'x' } },
    status: 405,
    fault: 'badMethod',
  },
  {
    name: 'microversion 2.94',
    method: 'POST',
    url: KEYS,
    as: 'member',
    version: '2.94',
    body: { keypair: { name: 'bi-new', public_key: KEY } },
    status: 406,
    fault: 'computeFault',
  },
];

export const keypairsBadInput: BadInputSuite = {
  resource: 'keypairs',
  setup: async (api) => {
    await api.post(KEYS, { keypair: { name: 'bi-kp', public_key: KEY } }, { as: 'member' });
  },
  cases: [...createCases, ...queryCases, ...itemCases],
};

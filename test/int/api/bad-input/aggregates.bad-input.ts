import { Aggregate, AggregateHost, AggregateMetadata, ApiDatabase } from '@nova/api-db';
import { mapHosts } from '../aggregate-hosts';
import { eachValue, type BadInputCase, type BadInputSuite } from './bad-input-case';

/*
 * Fixtures, written with fixed ids so the URLs can name them:
 *   7001 bi-agg-1, zone bi-az1, host bi-h1
 *   7002 bi-agg-2, zone bi-az2, host bi-h2
 *   7003 bi-agg-3, no zone,     host bi-h1
 * bi-h3 is mapped and in no aggregate; nothing is mapped as "bi-nope".
 */
const AGG = '/v2.1/os-aggregates';
const ZONED = `${AGG}/7001`;
const OTHER_ZONE = `${AGG}/7002`;
const UNZONED = `${AGG}/7003`;
const MISSING = `${AGG}/99999`;
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

const bad = { status: 400, fault: 'badRequest' } as const;
const notFound = { status: 404, fault: 'itemNotFound' } as const;
const conflict = { status: 409, fault: 'conflictingRequest' } as const;

const create = { method: 'POST' as const, url: AGG, ...bad };
const createWith = (field: string) => (value: unknown) => ({
  aggregate: { name: 'bi-new', [field]: value },
});
const update = { method: 'PUT' as const, url: ZONED, ...bad };
const updateWith = (field: string) => (value: unknown) => ({ aggregate: { [field]: value } });
const act = (url = ZONED) => ({ method: 'POST' as const, url: `${url}/action`, ...bad });
const images = { method: 'POST' as const, url: `${ZONED}/images`, version: '2.81', ...bad };

const createCases: BadInputCase[] = [
  ...eachValue(
    create,
    'create name',
    [12, '', ' lead', 'trail ', 'x'.repeat(256), null, true, ['a'], { a: 1 }, 'tab\there'],
    createWith('name'),
  ),
  ...eachValue(
    create,
    'create availability_zone',
    [12, '', 'a:b', ' lead', 'trail ', 'z'.repeat(256), true, ['az'], 'internal'],
    createWith('availability_zone'),
  ),
  { ...create, name: 'create without name', body: { aggregate: { availability_zone: 'z' } } },
  {
    ...create,
    name: 'create with an unknown field',
    body: { aggregate: { name: 'n', hosts: [] } },
  },
  { ...create, name: 'create with an unknown root key', body: { aggregate: { name: 'n' }, x: 1 } },
  { ...create, name: 'create without the aggregate key', body: { aggregates: { name: 'n' } } },
  { ...create, name: 'create with aggregate a string', body: { aggregate: 'n' } },
  { ...create, name: 'create with aggregate null', body: { aggregate: null } },
  { ...create, name: 'create with aggregate a list', body: { aggregate: [{ name: 'n' }] } },
  {
    ...create,
    ...conflict,
    name: 'create with a taken name',
    body: { aggregate: { name: 'bi-agg-1' } },
  },
  {
    ...create,
    status: 403,
    fault: 'forbidden',
    as: 'member',
    name: 'create as a member',
    body: { aggregate: { name: 'n' } },
  },
];

const updateCases: BadInputCase[] = [
  { ...update, name: 'update with neither name nor zone', body: { aggregate: {} } },
  ...eachValue(update, 'update name', [null, '', 5, '   ', 'x'.repeat(256)], updateWith('name')),
  ...eachValue(
    update,
    'update availability_zone',
    ['', 'a:b', null, 'internal', 7],
    updateWith('availability_zone'),
  ),
  {
    ...update,
    name: 'update with an unknown field',
    body: { aggregate: { name: 'n', uuid: 'u' } },
  },
  {
    ...update,
    name: 'update with a non-integer id',
    url: `${AGG}/abc`,
    body: { aggregate: { name: 'n' } },
  },
  {
    ...update,
    ...notFound,
    name: 'update a missing aggregate',
    url: MISSING,
    body: { aggregate: { name: 'n' } },
  },
  {
    ...update,
    ...conflict,
    name: 'update to a taken name',
    body: { aggregate: { name: 'bi-agg-2' } },
  },
  {
    ...update,
    name: 'update moving hosts out of their zone',
    url: UNZONED,
    body: { aggregate: { availability_zone: 'bi-az9' } },
  },
];

const showDeleteCases: BadInputCase[] = [
  { method: 'GET', url: `${AGG}/abc`, name: 'show a non-integer id', ...bad },
  { method: 'GET', url: `${AGG}/1.5`, name: 'show a decimal id', ...bad },
  { method: 'GET', url: MISSING, name: 'show a missing aggregate', ...notFound },
  { method: 'DELETE', url: `${AGG}/abc`, name: 'delete a non-integer id', ...bad },
  { method: 'DELETE', url: MISSING, name: 'delete a missing aggregate', ...notFound },
  { method: 'DELETE', url: ZONED, name: 'delete an aggregate with hosts', ...bad },
  { method: 'PATCH', url: ZONED, name: 'PATCH an aggregate', status: 405, fault: 'badMethod' },
];

const hostBody = (name: string) => (value: unknown) => ({ [name]: { host: value } });

const actionCases: BadInputCase[] = [
  { ...act(), name: 'action without a name', body: {} },
  {
    ...act(),
    name: 'two actions at once',
    body: { add_host: { host: 'bi-h3' }, set_metadata: { metadata: {} } },
  },
  { ...act(), name: 'an unknown action', body: { addHost: { host: 'bi-h3' } } },
  { ...act(), name: 'an action body that is a list', body: [{ add_host: { host: 'bi-h3' } }] },
  {
    ...act(`${AGG}/abc`),
    name: 'an action on a non-integer id',
    body: { add_host: { host: 'bi-h3' } },
  },
  ...eachValue(
    act(),
    'add_host host',
    [null, '', 'a b', 'x'.repeat(256), 12, ['bi-h3']],
    hostBody('add_host'),
  ),
  { ...act(), name: 'add_host without host', body: { add_host: {} } },
  {
    ...act(),
    name: 'add_host with an unknown field',
    body: { add_host: { host: 'bi-h3', zone: 'z' } },
  },
  { ...act(), name: 'add_host as a string', body: { add_host: 'bi-h3' } },
  {
    ...act(),
    ...notFound,
    name: 'add_host of an unmapped host',
    body: { add_host: { host: 'bi-nope' } },
  },
  {
    ...act(),
    ...notFound,
    name: 'add_host with the wrong case',
    body: { add_host: { host: 'BI-H3' } },
  },
  {
    ...act(MISSING),
    ...notFound,
    name: 'add_host to a missing aggregate',
    body: { add_host: { host: 'bi-h3' } },
  },
  { ...act(), ...conflict, name: 'add_host of a member', body: { add_host: { host: 'bi-h1' } } },
  {
    ...act(OTHER_ZONE),
    ...conflict,
    name: 'add_host of a host in another zone',
    body: { add_host: { host: 'bi-h1' } },
  },
  ...eachValue(act(), 'remove_host host', ['', 'a b', null], hostBody('remove_host')),
  {
    ...act(),
    ...notFound,
    name: 'remove_host of a non-member',
    body: { remove_host: { host: 'bi-h3' } },
  },
  {
    ...act(),
    ...notFound,
    name: 'remove_host of an unmapped host',
    body: { remove_host: { host: 'bi-nope' } },
  },
  {
    ...act(MISSING),
    ...notFound,
    name: 'remove_host from a missing aggregate',
    body: { remove_host: { host: 'bi-h1' } },
  },
  ...eachValue(
    act(),
    'set_metadata metadata',
    [
      null,
      'x',
      ['a'],
      5,
      { 'a/b': 'x' },
      { '': 'x' },
      { k: 5 },
      { k: true },
      { k: 'v'.repeat(256) },
      { k: {} },
    ],
    (metadata) => ({ set_metadata: { metadata } }),
  ),
  { ...act(), name: 'set_metadata without metadata', body: { set_metadata: {} } },
  {
    ...act(),
    name: 'set_metadata with an unknown field',
    body: { set_metadata: { metadata: {}, x: 1 } },
  },
  ...eachValue(act(), 'set_metadata availability_zone', [null, '', 'internal'], (zone) => ({
    set_metadata: { metadata: { availability_zone: zone } },
  })),
  {
    ...act(UNZONED),
    name: 'set_metadata moving hosts out of their zone',
    body: { set_metadata: { metadata: { availability_zone: 'bi-az9' } } },
  },
  {
    ...act(MISSING),
    ...notFound,
    name: 'set_metadata on a missing aggregate',
    body: { set_metadata: { metadata: { a: 'b' } } },
  },
];

const imageCases: BadInputCase[] = [
  {
    ...images,
    ...notFound,
    name: 'images before 2.81',
    version: '2.80',
    body: { cache: [{ id: IMAGE }] },
  },
  { ...images, name: 'images without cache', body: {} },
  { ...images, name: 'images with an empty cache', body: { cache: [] } },
  { ...images, name: 'images with cache an object', body: { cache: { id: IMAGE } } },
  { ...images, name: 'images with an id that is no uuid', body: { cache: [{ id: 'nope' }] } },
  { ...images, name: 'images with an item without id', body: { cache: [{}] } },
  {
    ...images,
    name: 'images with an item with an unknown field',
    body: { cache: [{ id: IMAGE, x: 1 }] },
  },
  { ...images, name: 'images with a string item', body: { cache: [IMAGE] } },
  {
    ...images,
    name: 'images with an unknown root key',
    body: { cache: [{ id: IMAGE }], all: true },
  },
  { ...images, name: 'images listed twice', body: { cache: [{ id: IMAGE }, { id: IMAGE }] } },
  {
    ...images,
    name: 'images on a non-integer id',
    url: `${AGG}/abc/images`,
    body: { cache: [{ id: IMAGE }] },
  },
  {
    ...images,
    ...notFound,
    name: 'images on a missing aggregate',
    url: `${MISSING}/images`,
    body: { cache: [{ id: IMAGE }] },
  },
];

export const aggregatesBadInput: BadInputSuite = {
  resource: 'aggregates',
  setup: async (api) => {
    await mapHosts(api, 'cell1', ['bi-h1', 'bi-h2', 'bi-h3']);
    const ds = await api.app.get(ApiDatabase, { strict: false }).get();
    const now = new Date();
    for (const [id, zone, host] of [
      [7001, 'bi-az1', 'bi-h1'],
      [7002, 'bi-az2', 'bi-h2'],
      [7003, null, 'bi-h1'],
    ] as const) {
      await ds.getRepository(Aggregate).insert({
        id,
        uuid: `00000000-0000-4000-8000-00000000${id}`,
        name: `bi-agg-${id - 7000}`,
        created_at: now,
      });
      await ds.getRepository(AggregateHost).insert({ aggregate_id: id, host, created_at: now });
      if (zone) {
        await ds
          .getRepository(AggregateMetadata)
          .insert({ aggregate_id: id, key: 'availability_zone', value: zone, created_at: now });
      }
    }
  },
  cases: [...createCases, ...updateCases, ...showDeleteCases, ...actionCases, ...imageCases],
};

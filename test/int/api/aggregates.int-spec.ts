import { AggregateService } from '@nova/aggregates';
import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { mapHosts } from './aggregate-hosts';

const EXACT_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
const STORED_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** /os-aggregates over HTTP (MariaDB + Redis), with hosts mapped to cell1. */
describe('aggregates API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const url = (id: number | string, suffix = '') => `/v2.1/os-aggregates/${id}${suffix}`;
  const create = (aggregate: Record<string, unknown>, version?: string) =>
    api.post('/v2.1/os-aggregates', { aggregate }, version ? { version } : {});
  const action = (id: number | string, body: unknown, version?: string) =>
    api.post(url(id, '/action'), body, version ? { version } : {});
  const newAggregate = async (name: string, zone?: string): Promise<number> => {
    const res = await create({ name, ...(zone ? { availability_zone: zone } : {}) });
    expect(res.status).toBe(200);
    return res.body.aggregate.id as number;
  };
  const addHost = (id: number, host: string) => action(id, { add_host: { host } });

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    api = await ApiClient.start(d.sections);
    await mapHosts(api, 'cell1', ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  describe('create', () => {
    it('answers 200 without hosts and metadata, without uuid at 2.1 (sample 42)', async () => {
      const res = await create({ name: 'sample-agg', availability_zone: null });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.aggregate)).toEqual([
        'id',
        'name',
        'created_at',
        'updated_at',
        'deleted_at',
        'deleted',
        'availability_zone',
      ]);
      expect(res.body.aggregate).toEqual({
        id: expect.any(Number),
        name: 'sample-agg',
        created_at: expect.stringMatching(EXACT_TIME),
        updated_at: null,
        deleted_at: null,
        deleted: false,
        availability_zone: null,
      });
    });

    it('shows the uuid from 2.41 (sample 43) and takes a zone', async () => {
      const at240 = await create({ name: 'agg-240' }, '2.40');
      expect(at240.body.aggregate.uuid).toBeUndefined();
      const res = await create({ name: 'sample-agg-latest', availability_zone: 'az-c' }, '2.93');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.aggregate)).toEqual([
        'id',
        'uuid',
        'name',
        'created_at',
        'updated_at',
        'deleted_at',
        'deleted',
        'availability_zone',
      ]);
      expect(res.body.aggregate.uuid).toMatch(UUID);
      expect(res.body.aggregate.availability_zone).toBe('az-c');
      expect((await create({ name: 'agg-241' }, '2.41')).body.aggregate.uuid).toMatch(UUID);
    });

    it('is 409 for a taken name', async () => {
      expect(await create({ name: 'sample-agg' })).toMatchObject({
        status: 409,
        body: {
          conflictingRequest: { code: 409, message: 'Aggregate sample-agg already exists.' },
        },
      });
    });

    it("rejects bad names and zones with Nova's messages", async () => {
      expect((await create({ name: ' lead' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
        },
      });
      expect((await create({ name: 'x', availability_zone: 'a:b' })).body.badRequest.message).toBe(
        "An invalid 'name' value was provided. The name must be: printable characters except :.Can not start or end with whitespace.",
      );
      expect((await create({ name: 'x'.repeat(256) })).status).toBe(400);
      expect((await create({ name: 'x', availability_zone: '' })).status).toBe(400);
    });

    it('refuses the internal service zone (400)', async () => {
      expect((await create({ name: 'int-agg', availability_zone: 'internal' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            'Cannot create aggregate int-agg. Reason: Aggregate int-agg cannot use the internal service availability zone internal.',
        },
      });
    });
  });

  describe('list and show', () => {
    it('lists every aggregate with hosts, metadata and stored timestamps (sample 44)', async () => {
      const res = await api.get('/v2.1/os-aggregates', { version: '2.93' });
      expect(res.status).toBe(200);
      const sample = (res.body.aggregates as Array<Record<string, unknown>>).find(
        (a) => a['name'] === 'sample-agg',
      );
      expect(Object.keys(sample ?? {})).toEqual([
        'id',
        'uuid',
        'name',
        'hosts',
        'metadata',
        'created_at',
        'updated_at',
        'deleted_at',
        'deleted',
        'availability_zone',
      ]);
      expect(sample).toMatchObject({
        hosts: [],
        metadata: {},
        created_at: expect.stringMatching(STORED_TIME),
        updated_at: null,
        deleted_at: null,
        deleted: false,
        availability_zone: null,
      });
      const ids = (res.body.aggregates as Array<{ id: number }>).map((a) => a.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const zoned = (res.body.aggregates as Array<Record<string, unknown>>).find(
        (a) => a['name'] === 'sample-agg-latest',
      );
      expect(zoned).toMatchObject({
        metadata: { availability_zone: 'az-c' },
        availability_zone: 'az-c',
      });
    });

    it('leaves the uuid out before 2.41, also with the project id in the URL', async () => {
      const res = await api.get('/v2.1/admin/os-aggregates', { version: '2.40' });
      expect(res.status).toBe(200);
      expect(res.body.aggregates[0].uuid).toBeUndefined();
      expect(res.body.aggregates[0].hosts).toEqual([]);
    });

    it('shows one aggregate; a missing one is 404, a non-integer id 400', async () => {
      const id = await newAggregate('show-me', 'az-show');
      const res = await api.get(url(id), { version: '2.41' });
      expect(res.status).toBe(200);
      expect(res.body.aggregate).toMatchObject({
        id,
        uuid: expect.stringMatching(UUID),
        name: 'show-me',
        hosts: [],
        metadata: { availability_zone: 'az-show' },
        availability_zone: 'az-show',
      });
      expect((await api.get(url(` ${id}`))).status).toBe(200);
      expect((await api.get(url(99999))).body).toEqual({
        itemNotFound: { code: 404, message: 'Aggregate 99999 could not be found.' },
      });
      expect((await api.get(url('abc'))).body).toEqual({
        badRequest: { code: 400, message: 'Invalid input received: id must be an integer' },
      });
      expect((await api.get(url('99999999999999999999'))).status).toBe(404);
    });
  });

  describe('update', () => {
    it('renames (stripping outer spaces) and sets the zone; updated_at is set', async () => {
      const id = await newAggregate('to-rename');
      const res = await api.put(url(id), { aggregate: { name: '  renamed  ' } });
      expect(res.status).toBe(200);
      expect(res.body.aggregate).toMatchObject({
        name: 'renamed',
        hosts: [],
        metadata: {},
        availability_zone: null,
        created_at: expect.stringMatching(STORED_TIME),
        updated_at: expect.stringMatching(EXACT_TIME),
      });
      const zoned = await api.put(url(id), { aggregate: { availability_zone: 'az-upd' } });
      expect(zoned.body.aggregate).toMatchObject({
        name: 'renamed',
        availability_zone: 'az-upd',
        metadata: { availability_zone: 'az-upd' },
      });
      const both = await api.put(url(id), {
        aggregate: { name: 'renamed2', availability_zone: 'az-2' },
      });
      expect(both.body.aggregate).toMatchObject({ name: 'renamed2', availability_zone: 'az-2' });
      const shown = await api.get(url(id));
      expect(shown.body.aggregate).toMatchObject({
        name: 'renamed2',
        availability_zone: 'az-2',
        updated_at: expect.stringMatching(STORED_TIME),
      });
      // Its own name again is no conflict.
      expect((await api.put(url(id), { aggregate: { name: 'renamed2' } })).status).toBe(200);
    });

    it('is 409 for a name taken by another aggregate, and writes nothing', async () => {
      const id = await newAggregate('upd-dup');
      const res = await api.put(url(id), {
        aggregate: { name: 'sample-agg', availability_zone: 'az-x' },
      });
      expect(res).toMatchObject({
        status: 409,
        body: { conflictingRequest: { message: 'Aggregate sample-agg already exists.' } },
      });
      expect((await api.get(url(id))).body.aggregate).toMatchObject({
        name: 'upd-dup',
        availability_zone: null,
      });
    });

    it('refuses an empty or internal zone and an empty update (400), a missing one 404', async () => {
      const id = await newAggregate('upd-bad');
      expect((await api.put(url(id), { aggregate: { availability_zone: null } })).body).toEqual({
        badRequest: {
          code: 400,
          message: `Cannot update aggregate ${id}. Reason: Aggregate upd-bad does not support empty named availability zone.`,
        },
      });
      expect(
        (await api.put(url(id), { aggregate: { availability_zone: 'internal' } })).body.badRequest
          .message,
      ).toBe(
        `Cannot update aggregate ${id}. Reason: Aggregate upd-bad cannot use the internal service availability zone internal.`,
      );
      expect((await api.put(url(id), { aggregate: {} })).body.badRequest.message).toBe(
        'Invalid input for field/attribute aggregate. Value: {}. {} is not valid under any of the given schemas',
      );
      expect((await api.put(url(99999), { aggregate: { name: 'n' } })).status).toBe(404);
      expect((await api.put(url('x'), { aggregate: { name: 'n' } })).status).toBe(400);
    });
  });

  describe('hosts', () => {
    it('adds a mapped host and shows it (200)', async () => {
      const id = await newAggregate('hosts-1');
      const res = await addHost(id, 'c1');
      expect(res.status).toBe(200);
      expect(res.body.aggregate).toMatchObject({ id, name: 'hosts-1', hosts: ['c1'] });
      expect((await addHost(id, 'c2')).body.aggregate.hosts).toEqual(['c1', 'c2']);
      expect((await api.get(url(id))).body.aggregate.hosts).toEqual(['c1', 'c2']);
    });

    it('is 404 for a host that is not a mapped compute host (exact case), 409 when in already', async () => {
      const id = await newAggregate('hosts-2');
      expect((await addHost(id, 'nope')).body).toEqual({
        itemNotFound: { code: 404, message: 'Compute host nope could not be found.' },
      });
      expect((await addHost(id, 'C3')).status).toBe(404);
      expect((await addHost(id, 'a b')).body.badRequest.message).toBe(
        "Invalid input for field/attribute host. Value: a b. 'a b' does not match '^[a-zA-Z0-9-._]*$'",
      );
      expect((await addHost(id, 'c3')).status).toBe(200);
      expect((await addHost(id, 'c3')).body).toEqual({
        conflictingRequest: { code: 409, message: `Aggregate ${id} already has host c3.` },
      });
      expect((await addHost(99999, 'c3')).body).toEqual({
        itemNotFound: { code: 404, message: 'Aggregate 99999 could not be found.' },
      });
    });

    it('removes a host; one not in the aggregate (or unknown) is 404', async () => {
      const id = await newAggregate('hosts-3');
      await addHost(id, 'c4');
      const res = await action(id, { remove_host: { host: 'c4' } });
      expect(res.status).toBe(200);
      expect(res.body.aggregate.hosts).toEqual([]);
      for (const [agg, host] of [
        [id, 'c4'],
        [id, 'nope'],
        [99999, 'c4'],
      ] as const) {
        expect((await action(agg, { remove_host: { host } })).body).toEqual({
          itemNotFound: { code: 404, message: `Cannot remove host ${host} in aggregate ${agg}` },
        });
      }
    });
  });

  describe('availability zone rules', () => {
    let az1: number;
    let az2: number;
    let plain: number;

    beforeAll(async () => {
      az1 = await newAggregate('zone-a', 'az1');
      az2 = await newAggregate('zone-b', 'az2');
      plain = await newAggregate('no-zone');
      expect((await addHost(az1, 'c5')).status).toBe(200);
      expect((await addHost(plain, 'c6')).status).toBe(200);
    });

    it('refuses a host that is in another zone (409)', async () => {
      expect((await addHost(az2, 'c5')).body).toEqual({
        conflictingRequest: {
          code: 409,
          message: `Cannot add host to aggregate ${az2}. Reason: One or more hosts already in availability zone(s) ['az1'].`,
        },
      });
    });

    it('lets a host join another aggregate of its zone or one without zone', async () => {
      const sameZone = await newAggregate('zone-a-too', 'az1');
      expect((await addHost(sameZone, 'c5')).status).toBe(200);
      expect((await addHost(plain, 'c5')).status).toBe(200);
      // c6 is in no zone yet; joining az2 is fine.
      expect((await addHost(az2, 'c6')).status).toBe(200);
    });

    it("refuses to move an aggregate's hosts into another zone by update or set_metadata (400)", async () => {
      // plain holds c5 (az1) and c6 (az2).
      expect((await api.put(url(plain), { aggregate: { availability_zone: 'az1' } })).body).toEqual(
        {
          badRequest: {
            code: 400,
            message: `Cannot update aggregate ${plain}. Reason: One or more hosts already in availability zone(s) ['az2'].`,
          },
        },
      );
      const res = await action(plain, { set_metadata: { metadata: { availability_zone: 'az3' } } });
      expect(res.body).toEqual({
        badRequest: {
          code: 400,
          message: `Cannot update metadata of aggregate ${plain}. Reason: One or more hosts already in availability zone(s) ['az1', 'az2', 'az1'].`,
        },
      });
      expect((await api.get(url(plain))).body.aggregate.availability_zone).toBeNull();
      // Renaming the zone of az1 is refused while its host is in another az1 aggregate.
      expect(
        (await api.put(url(az1), { aggregate: { availability_zone: 'az1-new' } })).status,
      ).toBe(400);
      expect((await api.put(url(az1), { aggregate: { availability_zone: 'az1' } })).status).toBe(
        200,
      );
    });

    it('refuses an empty or internal zone in set_metadata (400)', async () => {
      for (const zone of [null, '', 'internal']) {
        const res = await action(az2, { set_metadata: { metadata: { availability_zone: zone } } });
        expect(res.status).toBe(400);
        expect(res.body.badRequest.message).toMatch(
          new RegExp(`^Cannot update metadata of aggregate ${az2}\\. Reason: Aggregate zone-b `),
        );
      }
    });

    it("gives a host's zone and the hosts of every zone to the scheduler", async () => {
      const service = api.app.get(AggregateService, { strict: false });
      expect(await service.availabilityZoneOf('c5')).toBe('az1');
      expect(await service.availabilityZoneOf('c6')).toBe('az2');
      expect(await service.availabilityZoneOf('c7')).toBe('nova');
      expect(await service.availabilityZoneOf('unmapped')).toBe('nova');
      const byZone = await service.hostsByZone();
      expect(byZone['az1']).toEqual(['c5']);
      expect(byZone['az2']).toEqual(['c6']);
      expect(byZone['nova']).toEqual(expect.arrayContaining(['c1', 'c7', 'c8']));
      expect(byZone['nova']).not.toContain('c5');
    });
  });

  describe('set_metadata', () => {
    it('sets keys, deletes those given as null (a missing one is fine)', async () => {
      const id = await newAggregate('meta-1');
      const set = await action(id, {
        set_metadata: { metadata: { ssd: 'true', gpu: 'no', e: '' } },
      });
      expect(set.status).toBe(200);
      expect(set.body.aggregate).toMatchObject({
        metadata: { ssd: 'true', gpu: 'no', e: '' },
        updated_at: expect.stringMatching(EXACT_TIME),
        hosts: [],
      });
      const changed = await action(id, {
        set_metadata: { metadata: { gpu: null, never: null, ssd: 'false' } },
      });
      expect(changed.body.aggregate.metadata).toEqual({ ssd: 'false', e: '' });
      expect((await api.get(url(id))).body.aggregate.metadata).toEqual({ ssd: 'false', e: '' });
    });

    it('makes the aggregate a zone with the availability_zone key', async () => {
      const id = await newAggregate('meta-az');
      const res = await action(id, {
        set_metadata: { metadata: { availability_zone: 'az-meta', x: 'y' } },
      });
      expect(res.body.aggregate).toMatchObject({
        availability_zone: 'az-meta',
        metadata: { availability_zone: 'az-meta', x: 'y' },
      });
      expect((await action(99999, { set_metadata: { metadata: {} } })).status).toBe(404);
    });

    it('rejects bad keys and values (400)', async () => {
      const id = await newAggregate('meta-bad');
      for (const metadata of [{ 'a/b': 'x' }, { '': 'x' }, { k: 5 }, { k: 'v'.repeat(256) }, 'x']) {
        expect((await action(id, { set_metadata: { metadata } })).status).toBe(400);
      }
    });
  });

  describe('actions', () => {
    it('answers an unknown action or a body with two actions with 400', async () => {
      const id = await newAggregate('act');
      expect((await action(id, { reboot: {} })).body).toEqual({
        badRequest: { code: 400, message: 'There is no such action: reboot' },
      });
      expect(
        (await action(id, { add_host: { host: 'c1' }, remove_host: { host: 'c1' } })).body,
      ).toEqual({ badRequest: { code: 400, message: 'Malformed request body' } });
      expect((await action('x', { add_host: { host: 'c1' } })).body).toEqual({
        badRequest: { code: 400, message: 'Invalid input received: id must be an integer' },
      });
    });
  });

  describe('delete', () => {
    it('refuses an aggregate with hosts (400), deletes an empty one (200, no body)', async () => {
      const id = await newAggregate('del-1', 'az-del');
      await addHost(id, 'c8');
      expect((await api.delete(url(id))).body).toEqual({
        badRequest: {
          code: 400,
          message: `Cannot remove host from aggregate ${id}. Reason: Host aggregate is not empty.`,
        },
      });
      await action(id, { remove_host: { host: 'c8' } });
      const res = await api.delete(url(id));
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect((await api.get(url(id))).status).toBe(404);
      expect((await api.delete(url(id))).status).toBe(404);
      // The name and the zone are free again.
      expect((await create({ name: 'del-1', availability_zone: 'az-del' })).status).toBe(200);
    });
  });

  describe('image pre-caching (2.81)', () => {
    const images = (id: number | string, body: unknown, version = '2.81') =>
      api.post(url(id, '/images'), body, { version });
    const IMG1 = '70a599e0-31e7-49b7-b260-868f441e862b';
    const IMG2 = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

    it('does not exist before 2.81', async () => {
      const id = await newAggregate('img-old');
      expect((await images(id, { cache: [{ id: IMG1 }] }, '2.80')).status).toBe(404);
    });

    it('accepts a list of distinct images (202, no body)', async () => {
      const id = await newAggregate('img-1');
      const res = await images(id, { cache: [{ id: IMG1 }, { id: IMG2 }] });
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
      expect((await images(id, { cache: [{ id: IMG1.replace(/-/g, '') }] }, '2.93')).status).toBe(
        202,
      );
    });

    it('rejects duplicates and bad bodies (400), a missing aggregate (404)', async () => {
      const id = await newAggregate('img-2');
      expect((await images(id, { cache: [{ id: IMG1 }, { id: IMG1 }] })).body).toEqual({
        badRequest: { code: 400, message: 'Duplicate images in request' },
      });
      expect((await images(id, { cache: [{ id: 'nope' }] })).body.badRequest.message).toBe(
        "Invalid input for field/attribute id. Value: nope. 'nope' is not a 'uuid'",
      );
      expect((await images(id, { cache: [] })).status).toBe(400);
      expect((await images(id, { cache: [{ id: IMG1 }, 'x'] })).body.badRequest.message).toBe(
        "Invalid input for field/attribute 1. Value: x. 'x' is not of type 'object'",
      );
      expect((await images(99999, { cache: [{ id: IMG1 }] })).body).toEqual({
        itemNotFound: { code: 404, message: 'Aggregate 99999 could not be found.' },
      });
    });
  });
});

import type { WireFlavor, WireImage } from '@nova/compute-rpc';
import { ApiVersion } from '../../http/api-version';
import { pickForVersion, validateBody } from '../../http/validation';
import {
  CREATE_SERVER_BODIES,
  createServerRequest,
  type CreateServerBodyFields,
  type ServerCreateRequest,
} from '../../dto/servers';
import {
  instanceHostname,
  multiInstanceName,
  newAdminPassword,
  newReservationId,
  planBuilds,
  requestedDestination,
  sanitizeHostname,
  specHints,
  type BuildOptions,
  type BuildResources,
} from './server-build';

const IMAGE = '88966aae-e51a-4e67-9794-936097a866a2';
const GROUP = 'a1b2c3d4-0000-4000-8000-000000000001';
const OTHER = '5b3d066e-e175-43da-966a-14c63eded6f5';
const OWNER = { projectId: 'p1', userId: 'u1' };

const flavor: WireFlavor = {
  id: 7,
  flavorid: '1',
  name: 'm1.tiny',
  vcpus: 1,
  memory_mb: 512,
  root_gb: 1,
  ephemeral_gb: 0,
  swap: 0,
  extra_specs: {},
};
const image: WireImage = { id: IMAGE, name: 'cirros', min_disk: 0, min_ram: 0, properties: {} };
const resources: BuildResources = { flavor, image, keypair: null, group: null };

function request(version: string, server: Record<string, unknown>, extra = {}) {
  const v = ApiVersion.parse(version);
  const body = { server: { name: 'web', imageRef: IMAGE, flavorRef: '1', ...server }, ...extra };
  const valid = validateBody(pickForVersion(CREATE_SERVER_BODIES, v), body);
  return createServerRequest(valid as CreateServerBodyFields, v);
}

function uuids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

function plan(req: ServerCreateRequest, options: Partial<BuildOptions> = {}, res = resources) {
  return planBuilds(req, OWNER, res, {
    count: 1,
    defaultScheduleZone: null,
    nameTemplate: '%(name)s-%(count)d',
    now: new Date('2026-11-21T20:07:24Z'),
    newUuid: uuids(),
    reservationId: 'r-00d5pdfp',
    ...options,
  });
}

describe('planBuilds', () => {
  it('makes one build request and request spec (sample 15)', () => {
    const req = request(
      '2.93',
      {
        name: 'sample-srv-latest',
        networks: 'none',
        key_name: 'sample-kp-imp',
        metadata: { purpose: 'sample' },
        tags: ['sample'],
        description: 'created by samples.py',
      },
      {},
    );
    const { reservationId, builds } = plan(
      req,
      {},
      {
        ...resources,
        keypair: { name: 'sample-kp-imp', publicKey: 'ssh-ed25519 AAAA x' },
      },
    );
    expect(reservationId).toBe('r-00d5pdfp');
    expect(builds).toEqual([
      {
        fields: {
          uuid: '00000000-0000-4000-8000-000000000001',
          display_name: 'sample-srv-latest',
          display_description: 'created by samples.py',
          project_id: 'p1',
          user_id: 'u1',
          image_ref: IMAGE,
          flavor,
          key_name: 'sample-kp-imp',
          key_data: 'ssh-ed25519 AAAA x',
          user_data: null,
          hostname: 'sample-srv-latest',
          availability_zone: null,
          access_ip_v4: null,
          access_ip_v6: null,
          config_drive: '',
          launch_index: 0,
          reservation_id: 'r-00d5pdfp',
          metadata: { purpose: 'sample' },
          tags: ['sample'],
          security_groups: [],
          networks: 'none',
          created_at: '2026-11-21T20:07:24.000Z',
        },
        spec: {
          instance_uuids: ['00000000-0000-4000-8000-000000000001'],
          project_id: 'p1',
          user_id: 'u1',
          flavor,
          image,
          availability_zone: null,
          scheduler_hints: {},
          group: null,
          requested_host: null,
          requested_node: null,
          ignore_hosts: [],
        },
      },
    ]);
  });

  it('names and numbers the instances of a multi-create', () => {
    const { builds } = plan(request('2.1', { name: 'My Web_Server', min_count: 2, max_count: 3 }), {
      count: 3,
    });
    expect(builds.map((b) => b.fields.display_name)).toEqual([
      'My Web_Server-1',
      'My Web_Server-2',
      'My Web_Server-3',
    ]);
    expect(builds.map((b) => b.fields.hostname)).toEqual([
      'my-web-server-1',
      'my-web-server-2',
      'my-web-server-3',
    ]);
    expect(builds.map((b) => b.fields.launch_index)).toEqual([0, 1, 2]);
    expect(new Set(builds.map((b) => b.fields.reservation_id))).toEqual(new Set(['r-00d5pdfp']));
    expect(new Set(builds.map((b) => b.fields.uuid)).size).toBe(3);
    builds.forEach((b) => expect(b.spec.instance_uuids).toEqual([b.fields.uuid]));
  });

  it('takes the display name template and the 2.90 hostname', () => {
    const { builds } = plan(request('2.1', { name: 'db', max_count: 2 }), {
      count: 2,
      nameTemplate: '%(name)s-%(uuid)s',
    });
    expect(builds[1].fields.display_name).toBe('db-00000000-0000-4000-8000-000000000002');
    expect(builds[1].fields.hostname).toBe('db-2');
    const [one] = plan(
      request('2.90', { name: 'x', hostname: 'chosen-name', networks: 'auto' }),
    ).builds;
    expect(one.fields.hostname).toBe('chosen-name');
  });

  it('defaults the zone and carries zone, hints, group and destination into the spec', () => {
    const hints = {
      'os:scheduler_hints': {
        group: GROUP,
        same_host: OTHER,
        different_host: [OTHER],
        query: { op: '>=', args: ['$free_ram_mb', 1024] },
        target_cell: 'cell1',
      },
    };
    const group = { uuid: GROUP, policy: 'anti-affinity', rules: { max_server_per_host: 2 } };
    const req = request('2.74', { networks: 'auto', host: 'compute1' }, hints);
    const [{ fields, spec }] = plan(
      req,
      { defaultScheduleZone: 'az1' },
      { ...resources, group },
    ).builds;
    expect(fields.availability_zone).toBe('az1');
    expect(fields.networks).toBe('auto');
    expect(spec).toMatchObject({
      availability_zone: 'az1',
      group,
      requested_host: 'compute1',
      requested_node: null,
      scheduler_hints: {
        group: GROUP,
        same_host: OTHER,
        different_host: [OTHER],
        query: '{"op":">=","args":["$free_ram_mb",1024]}',
        target_cell: 'cell1',
      },
    });
    const forced = plan(request('2.1', { availability_zone: 'az2:compute2:node2' })).builds[0];
    expect(forced.fields.availability_zone).toBe('az2');
    expect(forced.spec).toMatchObject({ requested_host: 'compute2', requested_node: 'node2' });
  });

  it('maps the requested networks onto the flat network', () => {
    expect(plan(request('2.1', {})).builds[0].fields.networks).toBe('auto');
    const nets = request('2.1', {
      networks: [{ uuid: OTHER, fixed_ip: '10.0.0.9' }, { uuid: OTHER }],
    });
    expect(plan(nets).builds[0].fields.networks).toEqual([
      { uuid: OTHER, fixed_ip: '10.0.0.9' },
      { uuid: OTHER },
    ]);
  });

  it('stores config_drive and the access addresses as Nova does', () => {
    const req = request('2.1', { config_drive: true, accessIPv4: '192.0.2.1', user_data: 'aGk=' });
    expect(plan(req).builds[0].fields).toMatchObject({
      config_drive: 'True',
      access_ip_v4: '192.0.2.1',
      user_data: 'aGk=',
      display_description: 'web',
    });
  });
});

describe('requestedDestination', () => {
  it('refuses both mechanisms at once', () => {
    const req = { ...request('2.74', { networks: 'none', host: 'h1' }), forcedHost: 'h2' };
    expect(() => requestedDestination(req)).toThrow(
      'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.',
    );
    expect(requestedDestination(request('2.1', { availability_zone: 'nova::node9' }))).toEqual({
      host: null,
      node: 'node9',
      forced: true,
    });
    expect(requestedDestination(request('2.1', {}))).toEqual({
      host: null,
      node: null,
      forced: false,
    });
  });
});

describe('hostnames and names', () => {
  it('sanitizes like utils.sanitize_hostname', () => {
    expect(sanitizeHostname('My Server_1.example')).toBe('my-server-1-example');
    expect(sanitizeHostname('--héllo wörld!--')).toBe('héllo-wörld');
    expect(sanitizeHostname('日本語')).toBe('');
    expect(sanitizeHostname('a'.repeat(70))).toHaveLength(63);
    expect(sanitizeHostname('x@y#z')).toBe('xyz');
  });

  it('falls back to Server-<uuid> when nothing is left', () => {
    expect(instanceHostname('日本', 'u-1', 1, 0)).toBe('Server-u-1');
    expect(instanceHostname('日本', 'u-2', 2, 1)).toBe('Server-u-2');
    expect(instanceHostname('web', 'u', 1, 0)).toBe('web');
  });

  it('formats the multi-instance template, or keeps the name when it does not format', () => {
    expect(multiInstanceName('%(name)s-%(count)d', 'vm', 0, 'u')).toBe('vm-1');
    expect(multiInstanceName('%(name)s.%(count)s of 100%%', 'vm', 4, 'u')).toBe('vm.5 of 100%');
    expect(multiInstanceName('%(nope)s', 'vm', 0, 'u')).toBe('vm');
    expect(multiInstanceName('%(name)d', 'vm', 0, 'u')).toBe('vm');
  });

  it('makes Nova-shaped reservation ids and passwords', () => {
    expect(newReservationId()).toMatch(/^r-[0-9a-z]{8}$/);
    for (let i = 0; i < 20; i++) {
      const password = newAdminPassword();
      expect(password).toHaveLength(12);
      expect(password).toMatch(/^[2-9A-HJ-NP-Za-km-z]+$/);
      expect(password).toMatch(/[2-9]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
    }
  });

  it('passes hints as strings or lists of strings', () => {
    expect(specHints({ a: 'x', b: ['y', 2], c: { k: 1 }, d: null })).toEqual({
      a: 'x',
      b: ['y', '2'],
      c: '{"k":1}',
    });
  });
});

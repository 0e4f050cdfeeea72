import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cloud } from '../support/cloud';
import {
  GLANCE_URL,
  KEYSTONE_URL,
  KeystoneFixture,
  SERVICE_PASSWORD,
  ADMIN_PASSWORD,
  type KeystoneUser,
} from '../support/keystone';
import { freePort } from '../support/redis';
import { ServiceProcess } from '../support/service-process';

const run = promisify(execFile);

/**
 * The unmodified clients end to end: Debian's python3-openstackclient and
 * python3-openstacksdk against a nova-api process with `[api] auth_strategy =
 * keystone`, through the real Keystone (a region of its own whose catalog
 * names our API, the real Glance and Neutron) and the real Glance's images,
 * two cells of fake computes behind it. Assertions read the clients' parsed
 * output.
 */
/** Each CLI call starts a Python process and logs in to Keystone: seconds, on 2 busy cores. */
jest.setTimeout(300_000);

describe('openstack CLI and openstacksdk through Keystone', () => {
  let cloud: Cloud;
  let keystone: KeystoneFixture;
  let api: ServiceProcess;
  let region: string;
  let member: KeystoneUser;
  const admin = { name: 'admin', password: ADMIN_PASSWORD, project: 'admin' };

  const envOf = (who: { name: string; password: string; project: string }) => ({
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    OS_AUTH_URL: `${KEYSTONE_URL}/v3`,
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: who.name,
    OS_PASSWORD: who.password,
    OS_PROJECT_NAME: who.project,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: region,
    OS_INTERFACE: 'public',
  });
  /** `openstack ... -f json` as `who`, parsed. */
  const osc = async (who: typeof admin, ...args: string[]): Promise<any> => {
    try {
      const { stdout } = await run('/usr/bin/openstack', [...args, '-f', 'json'], {
        env: envOf(who),
        timeout: 120_000,
      });
      return stdout.trim() === '' ? undefined : JSON.parse(stdout);
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `openstack ${args.join(' ')}: ${e.stderr ?? ''} ${e.stdout ?? ''} ${e.message}`,
      );
    }
  };
  /** `openstack ...` for commands without a JSON form (console log, actions). */
  const oscText = async (who: typeof admin, ...args: string[]): Promise<string> =>
    (await run('/usr/bin/openstack', args, { env: envOf(who), timeout: 120_000 })).stdout;
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const statusOf = async (who: typeof admin, server: string) =>
    (await osc(who, 'server', 'show', server)).status as string;

  beforeAll(async () => {
    keystone = await KeystoneFixture.start();
    member = await keystone.user('member', ['member', 'reader']);
    // The computes upload snapshots to the real Glance (server image create, shelve).
    cloud = await Cloud.start({
      cells: ['cell1', 'cell2'],
      computesPerCell: 1,
      // One host per cell: a resize stays on it.
      extra: {
        glance: { api_servers: GLANCE_URL },
        DEFAULT: { allow_resize_to_same_host: 'true' },
      },
    });
    const port = await freePort();
    api = new ServiceProcess('nova-api', ['--config-file', cloud.configFile], {
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
      OS_API__AUTH_STRATEGY: 'keystone',
      OS_KEYSTONE_AUTHTOKEN__AUTH_URL: KEYSTONE_URL,
      OS_KEYSTONE_AUTHTOKEN__WWW_AUTHENTICATE_URI: KEYSTONE_URL,
      OS_KEYSTONE_AUTHTOKEN__USERNAME: 'nova',
      OS_KEYSTONE_AUTHTOKEN__PASSWORD: SERVICE_PASSWORD,
      OS_GLANCE__API_SERVERS: GLANCE_URL,
    });
    await api.waitFor((l) => String(l.msg).startsWith('nova-api listening'));
    region = await keystone.region(`http://127.0.0.1:${port}/v2.1`);
    await osc(
      admin,
      'flavor',
      'create',
      '--id',
      'osc-f1',
      '--vcpus',
      '1',
      '--ram',
      '128',
      '--disk',
      '1',
      'osc.f1',
    );
    await osc(
      admin,
      'flavor',
      'create',
      '--id',
      'osc-f2',
      '--vcpus',
      '2',
      '--ram',
      '256',
      '--disk',
      '1',
      'osc.f2',
    );
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await cloud?.stop();
    await keystone?.cleanup();
  });

  it('flavors and keypairs', async () => {
    const flavors = (await osc(admin, 'flavor', 'list')) as Array<{ ID: string; Name: string }>;
    expect(flavors.map((f) => f.Name)).toContain('osc.f1');
    expect(await osc(member, 'flavor', 'show', 'osc.f1')).toMatchObject({
      id: 'osc-f1',
      ram: 128,
      vcpus: 1,
      disk: 1,
    });
    // The CLI prints a generated private key as it is, whatever -f says.
    expect(await oscText(member, 'keypair', 'create', 'osc-key')).toMatch(/PRIVATE KEY/);
    const keys = (await osc(member, 'keypair', 'list')) as Array<{ Name: string }>;
    expect(keys.map((k) => k.Name)).toEqual(['osc-key']);
    expect((await osc(member, 'keypair', 'show', 'osc-key')).fingerprint).toMatch(/^[0-9a-f:]+$/);
  });

  it('server create --wait with a Glance image by name, then list, show, set', async () => {
    const created = await osc(
      member,
      'server',
      'create',
      '--flavor',
      'osc.f1',
      '--image',
      'cirros',
      '--key-name',
      'osc-key',
      '--wait',
      'osc-web',
    );
    expect(created).toMatchObject({ name: 'osc-web', status: 'ACTIVE', key_name: 'osc-key' });
    const listed = (await osc(member, 'server', 'list')) as Array<{
      Name: string;
      Status: string;
      Image: string;
    }>;
    expect(listed).toEqual([
      expect.objectContaining({ Name: 'osc-web', Status: 'ACTIVE', Image: 'cirros' }),
    ]);
    await oscText(
      member,
      'server',
      'set',
      '--name',
      'osc-web2',
      '--property',
      'role=web',
      'osc-web',
    );
    const shown = await osc(member, 'server', 'show', 'osc-web2');
    expect(shown).toMatchObject({ name: 'osc-web2', status: 'ACTIVE' });
    expect(JSON.stringify(shown.properties)).toContain('role');
  });

  it('server stop/start/reboot/pause/resume/lock, console log and events', async () => {
    const name = 'osc-web2';
    for (const [verb, status] of [
      ['stop', 'SHUTOFF'],
      ['start', 'ACTIVE'],
      ['pause', 'PAUSED'],
      ['unpause', 'ACTIVE'],
      ['suspend', 'SUSPENDED'],
      ['resume', 'ACTIVE'],
    ] as const) {
      await oscText(member, 'server', verb, name);
      await until(`${verb} -> ${status}`, async () => (await statusOf(member, name)) === status);
    }
    await oscText(member, 'server', 'reboot', '--wait', name);
    expect(await statusOf(member, name)).toBe('ACTIVE');
    await oscText(member, 'server', 'lock', name);
    const id = (await osc(member, 'server', 'show', name)).id as string;
    expect((await osc(admin, 'server', 'show', '--os-compute-api-version', '2.9', id)).locked).toBe(
      true,
    );
    await oscText(member, 'server', 'unlock', name);
    const log = await oscText(member, 'console', 'log', 'show', name);
    expect(log).toMatch(/login:/);
    const events = (await osc(member, 'server', 'event', 'list', name)) as Array<{
      Action: string;
    }>;
    expect(events.map((e) => e.Action)).toEqual(
      expect.arrayContaining(['create', 'stop', 'start', 'pause', 'reboot', 'lock', 'unlock']),
    );
  });

  it('server image create --wait into Glance, server shelve --wait and unshelve --wait', async () => {
    const name = 'osc-web2';
    const image = await osc(
      member,
      'server',
      'image',
      'create',
      '--name',
      'osc-snap',
      '--property',
      'purpose=osc',
      '--wait',
      name,
    );
    expect(image).toMatchObject({ name: 'osc-snap', status: 'active' });
    const shown = await osc(member, 'image', 'show', 'osc-snap');
    const id = (await osc(member, 'server', 'show', name)).id as string;
    expect(JSON.stringify(shown.properties)).toContain(id); // instance_uuid
    expect(JSON.stringify(shown.properties)).toContain('purpose');
    await oscText(member, 'image', 'delete', 'osc-snap');

    await oscText(member, 'server', 'shelve', '--wait', name);
    expect(await statusOf(member, name)).toBe('SHELVED_OFFLOADED');
    const shelveImages = (await osc(
      member,
      'image',
      'list',
      '--name',
      `${name}-shelved`,
    )) as Array<{
      Status: string;
    }>;
    expect(shelveImages.map((i) => i.Status)).toEqual(['active']);
    await oscText(member, 'server', 'unshelve', '--wait', name);
    expect(await statusOf(member, name)).toBe('ACTIVE');
    expect(await osc(member, 'image', 'list', '--name', `${name}-shelved`)).toEqual([]);
    const events = (await osc(member, 'server', 'event', 'list', name)) as Array<{
      Action: string;
    }>;
    expect(events.map((e) => e.Action)).toEqual(
      expect.arrayContaining(['createImage', 'shelve', 'unshelve']),
    );
  });

  it('server rebuild, rescue/unrescue, resize --wait and confirm, delete --wait', async () => {
    const name = 'osc-web2';
    await oscText(member, 'server', 'rebuild', '--image', 'cirros-alt', '--wait', name);
    const rebuilt = await osc(member, 'server', 'show', name);
    expect(rebuilt.status).toBe('ACTIVE');
    expect(String(rebuilt.image)).toContain('cirros-alt');
    await oscText(member, 'server', 'rescue', name);
    await until('RESCUE', async () => (await statusOf(member, name)) === 'RESCUE');
    await oscText(member, 'server', 'unrescue', name);
    await until('unrescued', async () => (await statusOf(member, name)) === 'ACTIVE');
    await oscText(member, 'server', 'resize', '--flavor', 'osc.f2', '--wait', name);
    expect(await statusOf(member, name)).toBe('VERIFY_RESIZE');
    await oscText(member, 'server', 'resize', 'confirm', name);
    await until('resize confirmed', async () => (await statusOf(member, name)) === 'ACTIVE');
    const resized = await osc(member, 'server', 'show', name);
    expect(String(resized.flavor)).toContain('osc.f2');
    // The admin names the member's server by id: names are looked up in the admin's project.
    const migrations = (await osc(
      admin,
      'server',
      'migration',
      'list',
      '--server',
      resized.id,
    )) as Array<{
      'Migration Type'?: string;
      Status: string;
    }>;
    expect(migrations.map((m) => m.Status)).toEqual(['confirmed']);
    await oscText(member, 'server', 'delete', '--wait', name);
    expect(await osc(member, 'server', 'list')).toEqual([]);
  });

  it('server create --min/--max, and as the admin --all-projects', async () => {
    await oscText(
      member,
      'server',
      'create',
      '--flavor',
      'osc.f1',
      '--image',
      'cirros',
      '--min',
      '2',
      '--max',
      '2',
      '--wait',
      'osc-multi',
    );
    const mine = (await osc(member, 'server', 'list')) as Array<{ Name: string; Status: string }>;
    expect(mine.map((s) => s.Name).sort()).toEqual(['osc-multi-1', 'osc-multi-2']);
    const all = (await osc(admin, 'server', 'list', '--all-projects', '--long')) as Array<{
      Name: string;
      Host: string;
    }>;
    const hosts = all.filter((s) => s.Name.startsWith('osc-multi')).map((s) => s.Host);
    expect(hosts.every((h) => /^cell[12]-c1$/.test(h))).toBe(true);
    for (const s of ['osc-multi-1', 'osc-multi-2']) {
      await oscText(member, 'server', 'delete', '--wait', s);
    }
  });

  it('admin views: aggregates, zones, hypervisors, compute services', async () => {
    const agg = await osc(admin, 'aggregate', 'create', '--zone', 'osc-az', 'osc-agg');
    expect(agg).toMatchObject({ name: 'osc-agg', availability_zone: 'osc-az' });
    const withHost = await osc(admin, 'aggregate', 'add', 'host', 'osc-agg', 'cell1-c1');
    expect(withHost.hosts).toEqual(['cell1-c1']);
    const zones = (await osc(member, 'availability', 'zone', 'list')) as Array<{
      'Zone Name': string;
    }>;
    expect(zones.map((z) => z['Zone Name'])).toEqual(expect.arrayContaining(['osc-az', 'nova']));
    await osc(admin, 'aggregate', 'remove', 'host', 'osc-agg', 'cell1-c1');
    await oscText(admin, 'aggregate', 'delete', 'osc-agg');

    const hypervisors = (await osc(admin, 'hypervisor', 'list')) as Array<{
      'Hypervisor Hostname': string;
    }>;
    expect(hypervisors.map((h) => h['Hypervisor Hostname']).sort()).toEqual([
      'cell1-c1',
      'cell2-c1',
    ]);
    expect(await osc(admin, 'hypervisor', 'show', 'cell2-c1')).toMatchObject({ state: 'up' });
    const services = (await osc(
      admin,
      'compute',
      'service',
      'list',
      '--service',
      'nova-compute',
    )) as Array<{ Host: string; State: string; Status: string }>;
    expect(services.map((s) => s.Host).sort()).toEqual(['cell1-c1', 'cell2-c1']);
    await oscText(
      admin,
      'compute',
      'service',
      'set',
      '--disable',
      '--disable-reason',
      'maintenance',
      'cell2-c1',
      'nova-compute',
    );
    const disabled = (await osc(
      admin,
      'compute',
      'service',
      'list',
      '--host',
      'cell2-c1',
      '--service',
      'nova-compute',
    )) as Array<{ Status: string }>;
    expect(disabled[0]?.Status).toBe('disabled');
    await oscText(admin, 'compute', 'service', 'set', '--enable', 'cell2-c1', 'nova-compute');
    expect(await osc(member, 'server', 'list')).toEqual([]);
    await expect(osc(member, 'hypervisor', 'list')).rejects.toThrow(/403|Forbidden|not allowed/i);
  });

  it('quotas, limits and server groups', async () => {
    await oscText(admin, 'quota', 'set', '--instances', '7', member.project);
    const quota = await osc(admin, 'quota', 'show', member.project);
    expect(JSON.stringify(quota)).toMatch(/"instances",\s*"Limit":\s*7|"instances":\s*7/);
    const limits = (await osc(member, 'limits', 'show', '--absolute')) as Array<{
      Name: string;
      Value: number;
    }>;
    expect(limits.find((l) => l.Name === 'maxTotalInstances')?.Value).toBe(7);
    const group = await osc(
      member,
      'server',
      'group',
      'create',
      '--policy',
      'anti-affinity',
      'osc-group',
    );
    expect(group).toMatchObject({ name: 'osc-group' });
    const groups = (await osc(member, 'server', 'group', 'list')) as Array<{ Name: string }>;
    expect(groups.map((g) => g.Name)).toEqual(['osc-group']);
    await oscText(member, 'server', 'group', 'delete', 'osc-group');
  });

  it('usage, hosts, a server without network (2.37) and its console URL', async () => {
    const created = await osc(
      member,
      '--os-compute-api-version',
      '2.37',
      'server',
      'create',
      '--flavor',
      'osc.f1',
      '--image',
      'cirros',
      '--network',
      'none',
      '--wait',
      'osc-nonet',
    );
    expect(created).toMatchObject({ name: 'osc-nonet', status: 'ACTIVE' });
    const shown = await osc(
      member,
      '--os-compute-api-version',
      '2.37',
      'server',
      'show',
      'osc-nonet',
    );
    expect(shown.addresses === '' || Object.keys(shown.addresses ?? {}).length === 0).toBe(true);
    const url = await osc(member, 'console', 'url', 'show', '--novnc', 'osc-nonet');
    expect(url).toMatchObject({ type: 'novnc', url: expect.stringMatching(/token/) });

    // osc's JSON output gives the server_usages list itself in "Servers" (a
    // count only in its table output), so count either form.
    const serverCount = (value: unknown): number =>
      Array.isArray(value) ? value.length : Number(value);
    const usage = (await osc(admin, 'usage', 'list')) as Array<{
      Project: string;
      Servers: unknown;
    }>;
    const mine = usage.find((u) => u.Project === member.project || u.Project === member.projectId);
    expect(serverCount(mine?.Servers)).toBeGreaterThanOrEqual(1);
    const own = await osc(member, 'usage', 'show');
    expect(serverCount(own.Servers)).toBeGreaterThanOrEqual(1);

    const hosts = (await osc(admin, 'host', 'list')) as Array<{
      'Host Name': string;
      Service: string;
      Zone: string;
    }>;
    expect(hosts).toEqual(
      expect.arrayContaining([{ 'Host Name': 'cell1-c1', Service: 'compute', Zone: 'nova' }]),
    );
    await oscText(member, 'server', 'delete', '--wait', 'osc-nonet');
  });

  it('openstacksdk: create, wait, list and delete a server', async () => {
    const script = `
import json, openstack
conn = openstack.connect(auth_url=${JSON.stringify(`${KEYSTONE_URL}/v3`)}, username=${JSON.stringify(member.name)},
    password=${JSON.stringify(member.password)}, project_name=${JSON.stringify(member.project)},
    user_domain_name='Default', project_domain_name='Default', region_name=${JSON.stringify(region)})
image = conn.image.find_image('cirros')
flavor = conn.compute.find_flavor('osc.f1')
# The SDK negotiates the newest microversion, where networks must be given (2.37).
server = conn.compute.create_server(name='sdk-1', image_id=image.id, flavor_id=flavor.id, networks='auto')
server = conn.compute.wait_for_server(server, status='ACTIVE', wait=60)
names = [s.name for s in conn.compute.servers()]
conn.compute.delete_server(server)
conn.compute.wait_for_delete(server, wait=60)
print(json.dumps({'status': server.status, 'image': server.image.id, 'names': names,
                  'after': [s.name for s in conn.compute.servers()]}))
`;
    const { stdout } = await run('/usr/bin/python3', ['-c', script], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' },
      timeout: 180_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(out.status).toBe('ACTIVE');
    expect(out.names).toContain('sdk-1');
    expect(out.after).not.toContain('sdk-1');
  });
});

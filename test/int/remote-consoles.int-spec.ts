import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';
import { freePort } from '../support/redis';
import { ServiceProcess } from '../support/service-process';
import { until } from '../support/waiting';
import { WsSession } from '../support/ws-client';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

/**
 * Remote consoles across real processes (two cells with a fake compute each,
 * nova-novncproxy and nova-serialproxy on their own, MariaDB, RabbitMQ,
 * Redis): the API hands out console URLs, the proxies redeem the tokens once
 * and pipe a real WebSocket client to the fake guest's login prompt.
 */
describe('remote consoles and the console proxies (separate processes)', () => {
  let cloud: Cloud;
  let novncPort: number;
  let serialPort: number;
  const proxies: ServiceProcess[] = [];
  const flavorRef = 'console-tiny';
  const member = { as: 'member' as const };

  beforeAll(async () => {
    novncPort = await freePort();
    serialPort = await freePort();
    cloud = await Cloud.start({
      cells: ['cell1', 'cell2'],
      computesPerCell: 1,
      extra: {
        vnc: {
          novncproxy_host: '127.0.0.1',
          novncproxy_port: String(novncPort),
          novncproxy_base_url: `http://127.0.0.1:${novncPort}/vnc_auto.html`,
        },
        serial_console: {
          enabled: 'true',
          serialproxy_host: '127.0.0.1',
          serialproxy_port: String(serialPort),
          base_url: `ws://127.0.0.1:${serialPort}/`,
        },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    for (const name of ['nova-novncproxy', 'nova-serialproxy']) {
      const proxy = new ServiceProcess(name, ['--config-file', cloud.configFile]);
      proxies.push(proxy);
      await proxy.waitFor((l) => l.msg.startsWith(`${name} listening on`));
    }
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 256, disk: 1 },
    });
    expect(flavor.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await cloud?.stop();
  });

  const images = async () =>
    (await cloud.api.get('/v2.1/images')).body.images as Array<{ id: string }>;
  /** A server on `host` (admins pick it with zone:host), ACTIVE. */
  const boot = async (name: string, host = 'cell1-c1') => {
    const imageRef = (await images())[0].id;
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef, availability_zone: `nova:${host}` } },
      { as: 'admin' },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    return id;
  };
  const remoteConsole = (id: string, protocol: string, type: string, version = '2.6') =>
    cloud.api.post(
      `/v2.1/servers/${id}/remote-consoles`,
      { remote_console: { protocol, type } },
      { as: 'admin', version },
    );
  const act = (id: string, body: unknown, version = '2.1') =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, { as: 'admin', version });
  const tokenOf = (url: string) => /token(?:=|%3D)([0-9a-f-]{36})$/.exec(url)?.[1] ?? '';
  const cellRows = (cell: string, instance: string) =>
    query<{ token_hash: string; console_type: string; expires: number }>(
      cloud.deployment.dbName(cell),
      'SELECT token_hash, console_type, expires FROM console_auth_tokens WHERE instance_uuid = ?',
      [instance],
    );

  it("pipes a WebSocket client to the guest's login prompt, which echoes; a token works once", async () => {
    const id = await boot('console-me');
    const res = await remoteConsole(id, 'serial', 'serial');
    expect(res.status).toBe(200);
    expect(res.body.remote_console).toEqual({
      protocol: 'serial',
      type: 'serial',
      url: expect.stringMatching(
        new RegExp(`^ws://127\\.0\\.0\\.1:${serialPort}/\\?token=${UUID}$`),
      ),
    });
    const url = res.body.remote_console.url as string;

    const session = new WsSession(url, ['binary']);
    expect(await session.opened).toBe(true);
    expect(session.protocol).toBe('binary');
    await session.waitFor('login: ');
    expect(session.received).toMatch(/instance-[0-9a-f]{8} login: $/);
    session.send('root\n');
    await session.waitFor('login: root\n');
    expect(session.allBinary).toBe(true);
    expect((await session.close()).code).toBe(1000);

    const again = new WsSession(url);
    expect(await again.closed).toEqual({
      code: 1008,
      reason: 'The token is invalid or has expired',
    });
    expect(again.received).toBe('');
  });

  it('serves noVNC through nova-novncproxy, the token in the path parameter, per microversion', async () => {
    const id = await boot('vnc-me');
    const legacy = await act(id, { 'os-getVNCConsole': { type: 'novnc' } });
    expect(legacy.status).toBe(200);
    expect(legacy.body.console).toEqual({
      type: 'novnc',
      url: expect.stringMatching(
        new RegExp(
          `^http://127\\.0\\.0\\.1:${novncPort}/vnc_auto\\.html\\?path=%3Ftoken%3D${UUID}$`,
        ),
      ),
    });
    // noVNC opens the WebSocket at what the path parameter says.
    const session = new WsSession(
      `ws://127.0.0.1:${novncPort}/?token=${tokenOf(legacy.body.console.url)}`,
      ['binary'],
    );
    await session.waitFor('login: ');
    session.send('vnc-keys');
    await session.waitFor('login: vnc-keys');
    await session.close();

    const serial = await act(id, { 'os-getSerialConsole': { type: 'serial' } }, '2.5');
    expect(serial.status).toBe(200);
    expect(serial.body.console.type).toBe('serial');
    // A serial token is no noVNC token: the other proxy refuses it.
    const wrongProxy = new WsSession(
      `ws://127.0.0.1:${novncPort}/?token=${tokenOf(serial.body.console.url)}`,
    );
    expect((await wrongProxy.closed).code).toBe(1008);

    expect((await act(id, { 'os-getVNCConsole': { type: 'novnc' } }, '2.6')).status).toBe(404);
    expect((await remoteConsole(id, 'vnc', 'novnc', '2.5')).status).toBe(404);
    const unified = await remoteConsole(id, 'vnc', 'novnc', '2.93');
    expect(unified.status).toBe(200);
    expect(unified.body.remote_console).toMatchObject({ protocol: 'vnc', type: 'novnc' });
  });

  it("answers Nova's 400s: disabled consoles, wrong types, rdp, and bad bodies", async () => {
    const id = await boot('refuse-me');
    const cases: Array<[unknown, string, string]> = [
      [
        { 'os-getSPICEConsole': { type: 'spice-html5' } },
        '2.1',
        'Unavailable console type spice-html5.',
      ],
      [{ 'os-getVNCConsole': { type: 'xvpvnc' } }, '2.1', 'Invalid console type xvpvnc'],
    ];
    for (const [body, version, message] of cases) {
      const res = await act(id, body, version);
      expect(res.body).toEqual({ badRequest: { code: 400, message } });
    }
    const expectations: Array<[string, string, string, string]> = [
      ['vnc', 'serial', '2.6', 'Invalid console type serial'],
      ['rdp', 'rdp-html5', '2.6', 'Unavailable console type rdp-html5.'],
      ['mks', 'webmks', '2.8', 'Unavailable console type webmks.'],
      [
        'mks',
        'webmks',
        '2.7',
        "Invalid input for field/attribute protocol. Value: mks. 'mks' is not one of ['vnc', 'spice', 'rdp', 'serial']",
      ],
    ];
    for (const [protocol, type, version, message] of expectations) {
      const res = await remoteConsole(id, protocol, type, version);
      expect(res.body).toEqual({ badRequest: { code: 400, message } });
    }
    // Nothing was stored by the refusals.
    expect(await cellRows('cell1', id)).toEqual([]);
  });

  it('answers 409 for a server not running or not on a host', async () => {
    const id = await boot('stop-me');
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    await cloud.waitForServer(id, (s) => s.status === 'SHUTOFF' && !s['OS-EXT-STS:task_state']);
    const stopped = await remoteConsole(id, 'serial', 'serial');
    expect(stopped.body).toEqual({
      conflictingRequest: { code: 409, message: `Instance ${id} is not ready` },
    });
    // Too big for any host: ERROR in cell0, never on a host.
    const huge = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: 'console-huge', id: 'console-huge', vcpus: 64, ram: 1024, disk: 1 },
    });
    expect(huge.status).toBe(200);
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name: 'nowhere', imageRef: (await images())[0].id, flavorRef: 'console-huge' } },
      member,
    );
    const nowhere = res.body.server.id as string;
    await cloud.waitForServer(nowhere, (s) => s.status === 'ERROR');
    const ready = await remoteConsole(nowhere, 'vnc', 'novnc');
    expect(ready.body).toEqual({
      conflictingRequest: { code: 409, message: `Instance ${nowhere} is not ready` },
    });
    // os_compute_api:os-remote-consoles wants a member of the server's project.
    const reader = await cloud.api.post(
      `/v2.1/servers/${nowhere}/remote-consoles`,
      { remote_console: { protocol: 'vnc', type: 'novnc' } },
      { as: 'reader', version: '2.6' },
    );
    expect(reader.status).toBe(403);
  });

  it('shows a token to admins in any cell (2.31), keeps it hashed, and refuses it once expired', async () => {
    const id = await boot('token-me', 'cell2-c1');
    const res = await remoteConsole(id, 'serial', 'serial');
    const token = tokenOf(res.body.remote_console.url);
    const show = (as: 'admin' | 'member', version: string, t = token) =>
      cloud.api.get(`/v2.1/os-console-auth-tokens/${t}`, { as, version });

    const shown = await show('admin', '2.31');
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      console: {
        instance_uuid: id,
        host: '127.0.0.1',
        port: expect.any(Number),
        internal_access_path: null,
      },
    });
    expect((await show('member', '2.31')).status).toBe(403);
    expect((await show('admin', '2.30')).body).toEqual({
      unauthorized: { code: 401, message: 'The requested console type details are not accessible' },
    });
    expect((await show('admin', '2.31', 'c0ffee00-0000-4000-8000-000000000000')).body).toEqual({
      itemNotFound: { code: 404, message: 'Token not found' },
    });

    // The cell of the server holds only the SHA-256 of the token, expiring after token_ttl.
    const rows = await cellRows('cell2', id);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    const ttl = Number(rows[0].expires) - Math.floor(Date.now() / 1000);
    expect(ttl).toBeGreaterThan(500);
    expect(ttl).toBeLessThanOrEqual(600);
    expect(await cellRows('cell1', id)).toEqual([]);

    await query(
      cloud.deployment.dbName('cell2'),
      'UPDATE console_auth_tokens SET expires = ? WHERE instance_uuid = ?',
      [Math.floor(Date.now() / 1000) - 1, id],
    );
    expect((await show('admin', '2.31')).status).toBe(404);
    const late = new WsSession(res.body.remote_console.url as string);
    expect((await late.closed).code).toBe(1008);
    // The next console of the cell cleans the expired token away.
    const next = tokenOf((await remoteConsole(id, 'serial', 'serial')).body.remote_console.url);
    expect((await cellRows('cell2', id)).map((r) => r.token_hash)).toEqual([
      createHash('sha256').update(next).digest('hex'),
    ]);
  });

  it("refuses a browser whose Origin is not the proxy's host", async () => {
    const id = await boot('origin-me');
    const url = new URL((await remoteConsole(id, 'serial', 'serial')).body.remote_console.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(serialPort, '127.0.0.1', () =>
        socket.write(
          [
            `GET ${url.pathname}${url.search} HTTP/1.1`,
            `Host: 127.0.0.1:${serialPort}`,
            'Upgrade: websocket',
            'Connection: Upgrade',
            'Sec-WebSocket-Version: 13',
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
            'Origin: http://evil.example',
            '',
            '',
          ].join('\r\n'),
        ),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(answer).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    // A close frame, 1008, with Nova's reason; no console byte came through.
    const frame = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(frame.charCodeAt(0)).toBe(0x88);
    expect((frame.charCodeAt(2) << 8) | frame.charCodeAt(3)).toBe(1008);
    expect(frame.slice(4)).toBe('Origin header does not match this host.');
  });

  it("removes a deleted server's tokens", async () => {
    const id = await boot('delete-me');
    expect((await remoteConsole(id, 'vnc', 'novnc')).status).toBe(200);
    expect((await remoteConsole(id, 'serial', 'serial')).status).toBe(200);
    expect((await cellRows('cell1', id)).map((r) => r.console_type).sort()).toEqual([
      'novnc',
      'serial',
    ]);
    expect((await cloud.api.delete(`/v2.1/servers/${id}`, { as: 'admin' })).status).toBe(204);
    await cloud.waitForGone(id);
    // The API answers 404 once the mapping is queued for delete, a moment before
    // the cell's soft delete (which takes the tokens in its transaction).
    await until('the tokens to go', async () => (await cellRows('cell1', id)).length === 0, 100);
    expect(await cellRows('cell1', id)).toEqual([]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';
import { manageOk } from '../support/manage';
import { query } from '../support/mysql';
import { freePort, metricsUrl, Scrape } from '../support/prometheus';
import { ServiceProcess } from '../support/service-process';

/**
 * Prometheus metrics of every process of a cloud (MariaDB, RabbitMQ, Redis; the
 * API, both conductors, the scheduler and a fake compute as separate
 * processes), each on its own `[metrics]` listener, scraped and parsed.
 */
describe('Prometheus metrics on every process', () => {
  let cloud: Cloud;
  let api: string;
  const urls = new Map<string, string>();
  const imageRef = '7a1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a61';

  const scrape = (role: string) => Scrape.of(urls.get(role)!);
  const http = async (method: string, path: string, body?: unknown, token = 'admin:admin') => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        'x-auth-token': token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const boot = async (name: string, flavorRef: string) => {
    const res = await http(
      'POST',
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef } },
      'demo:demo',
    );
    expect(res.status).toBe(202);
    return res.body.server.id as string;
  };
  /** Until `fn` holds on a fresh scrape of `role` (processes count asynchronously). */
  const until = async (role: string, fn: (s: Scrape) => boolean): Promise<Scrape> => {
    for (let i = 0; i < 200; i++) {
      const s = await scrape(role);
      if (fn(s)) {
        return s;
      }
      await sleep(100);
    }
    throw new Error(`${role}: metrics never matched`);
  };

  beforeAll(async () => {
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([{ id: imageRef, name: 'cirros', status: 'active', architecture: 'x86_64' }]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: {
        metrics: { port: '0' },
        glance: { local_catalog: catalog },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    const port = await freePort();
    const apiProcess = cloud.addService(
      'api',
      new ServiceProcess('nova-api', ['--config-file', cloud.configFile], {
        OS_API__AUTH_STRATEGY: 'noauth2',
        OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
        OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
        // Short, so the call to a dead compute below times out quickly.
        OS_DEFAULT__RPC_RESPONSE_TIMEOUT: '2',
      }),
    );
    api = `http://127.0.0.1:${port}`;
    await apiProcess.waitFor((l) => /nova-api listening/.test(l.msg));
    for (const [role, process] of [...cloud.roles, ...cloud.computes]) {
      urls.set(role, await metricsUrl(process));
    }
    for (const flavor of [
      { name: 'm-tiny', id: 'm-tiny', vcpus: 1, ram: 256, disk: 1 },
      { name: 'm-huge', id: 'm-huge', vcpus: 1, ram: 1_000_000, disk: 1 },
    ]) {
      expect((await http('POST', '/v2.1/flavors', { flavor })).status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('every process serves /metrics on a listener of its own, not on the API port', async () => {
    expect([...urls.keys()].sort()).toEqual(
      ['api', 'cell1-c1', 'conductor-cell1', 'scheduler', 'super'].sort(),
    );
    expect(new Set(urls.values()).size).toBe(urls.size);
    for (const url of urls.values()) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const s = await Scrape.of(url);
      expect(s.value('nova_process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(s.matching('nova_nodejs_eventloop_lag_seconds').length).toBe(1);
    }
    expect((await http('GET', '/metrics')).status).toBe(404);
  });

  it('the API counts requests by route template and status, with latency', async () => {
    const before = await scrape('api');
    for (let i = 0; i < 3; i++) {
      expect((await http('GET', '/v2.1/flavors')).status).toBe(200);
    }
    expect((await http('GET', '/v2.1/flavors/no-such-flavor')).status).toBe(404);
    expect((await http('GET', '/v2.1/no-such-resource')).status).toBe(404);
    const s = await scrape('api');
    const list = { method: 'GET', route: '/v2.1/flavors', status: '200' };
    expect(s.value('nova_http_requests_total', list)).toBe(3);
    expect(s.value('nova_http_request_duration_seconds_count', list)).toBe(3);
    expect(s.value('nova_http_request_duration_seconds_sum', list)).toBeGreaterThan(0);
    expect(s.value('nova_http_request_duration_seconds_bucket', { ...list, le: '+Inf' })).toBe(3);
    const show = s
      .matching('nova_http_requests_total', { method: 'GET', status: '404' })
      .filter((x) => /^\/v2\.1\/flavors\/:\w+$/.test(x.labels['route']));
    expect(show.map((x) => x.value)).toEqual([1]);
    // Unknown paths share one label value: a scanner cannot blow up the series count.
    const unmatched = { route: 'unmatched', status: '404' };
    expect(
      s.value('nova_http_requests_total', unmatched) -
        before.value('nova_http_requests_total', unmatched),
    ).toBe(1);
    expect(s.matching('nova_http_requests_total').some((x) => /no-such/.test(x.labels.route))).toBe(
      false,
    );
  });

  it('a build is counted by each process on its way: RPC both sides, scheduler, outcome', async () => {
    const id = await boot('metered', 'm-tiny');
    await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    const conductor = await until(
      'conductor-cell1',
      (s) => s.value('nova_builds_total', { outcome: 'active' }) === 1,
    );
    // The host's start and its end: each a change with its action event (conductor 1.27).
    expect(
      conductor.value('nova_rpc_handled_total', { method: 'instance_update', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      conductor.value('nova_db_query_duration_seconds_count', { database: 'cell1' }),
    ).toBeGreaterThan(0);

    const apiScrape = await scrape('api');
    expect(
      apiScrape.value('nova_rpc_sent_total', {
        kind: 'cast',
        method: 'schedule_and_build_instances',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      apiScrape.value('nova_db_query_duration_seconds_count', { database: 'api' }),
    ).toBeGreaterThan(0);

    const superScrape = await scrape('super');
    const select = { kind: 'call', method: 'select_destinations', outcome: 'ok' };
    expect(superScrape.value('nova_rpc_sent_total', select)).toBe(1);
    expect(
      superScrape.value('nova_rpc_call_duration_seconds_count', { method: 'select_destinations' }),
    ).toBe(1);
    expect(
      superScrape.value('nova_rpc_handled_total', {
        method: 'schedule_and_build_instances',
        outcome: 'ok',
      }),
    ).toBe(1);

    const scheduler = await scrape('scheduler');
    expect(scheduler.value('nova_scheduler_decisions_total', { outcome: 'selected' })).toBe(1);
    expect(scheduler.value('nova_scheduler_select_duration_seconds_count')).toBe(1);
    expect(
      scheduler.value('nova_rpc_handled_total', { method: 'select_destinations', outcome: 'ok' }),
    ).toBe(1);

    const compute = await scrape('cell1-c1');
    expect(
      compute.value('nova_rpc_handled_total', { method: 'build_and_run_instance', outcome: 'ok' }),
    ).toBe(1);
    expect(
      compute.value('nova_rpc_sent_total', { kind: 'call', method: 'instance_update' }),
    ).toBeGreaterThan(0);
    // The compute has no database: it reports none.
    expect(compute.matching('nova_db_query_duration_seconds_count').length).toBe(0);
  });

  it('NoValidHost is counted by the scheduler and as a build outcome', async () => {
    const id = await boot('too-big', 'm-huge');
    await cloud.waitForServer(id, (s) => s.status === 'ERROR');
    const scheduler = await scrape('scheduler');
    expect(scheduler.value('nova_scheduler_no_valid_host_total')).toBe(1);
    expect(scheduler.value('nova_scheduler_decisions_total', { outcome: 'no_valid_host' })).toBe(1);
    expect(
      scheduler.value('nova_rpc_handled_total', {
        method: 'select_destinations',
        outcome: 'error',
      }),
    ).toBe(1);
    const superScrape = await scrape('super');
    expect(superScrape.value('nova_builds_total', { outcome: 'no_valid_host' })).toBe(1);
    expect(
      superScrape.value('nova_rpc_sent_total', {
        kind: 'call',
        method: 'select_destinations',
        outcome: 'error',
      }),
    ).toBe(1);
  });

  it('instance-mapping lookups show as cache hits and misses', async () => {
    const [row] = await query<{ uuid: string }>(
      cloud.deployment.dbName('cell1'),
      "SELECT uuid FROM instances WHERE display_name = 'metered'",
    );
    const before = await scrape('api');
    const missing = '00000000-0000-4000-8000-00000000dead';
    for (let i = 0; i < 2; i++) {
      expect((await http('GET', `/v2.1/servers/${row.uuid}`)).status).toBe(200);
      expect((await http('GET', `/v2.1/servers/${missing}`)).status).toBe(404);
    }
    const after = await scrape('api');
    const delta = (result: string) =>
      after.value('nova_instance_mapping_cache_total', { result }) -
      before.value('nova_instance_mapping_cache_total', { result });
    // The server's mapping was cached when it was written; the unknown uuid misses
    // once, then its negative entry hits.
    expect(delta('hit')).toBeGreaterThanOrEqual(2);
    expect(delta('miss')).toBeGreaterThanOrEqual(1);
    expect(delta('error')).toBe(0);
  });

  it('reports each cell connection state and its database pool', async () => {
    const s = await scrape('api');
    expect(s.value('nova_cell_connection_state', { cell: 'cell1', state: 'open' })).toBe(1);
    expect(s.value('nova_cell_connection_state', { cell: 'cell1', state: 'backing_off' })).toBe(0);
    const pool = (cell: string) =>
      s.value('nova_db_pool_connections', { cell, state: 'used' }) +
      s.value('nova_db_pool_connections', { cell, state: 'idle' });
    expect(pool('cell1')).toBeGreaterThan(0);
    expect(pool('api')).toBeGreaterThan(0);
    expect(s.matching('nova_db_pool_connections', { cell: 'cell1', state: 'waiting' })).toEqual([
      expect.objectContaining({ value: 0 }),
    ]);
  });

  it('a cell whose schema is behind is refused; one whose database is missing backs off', async () => {
    const stale = cloud.deployment.dbUrl('stale');
    await query(
      cloud.deployment.dbName('api'),
      `CREATE DATABASE \`${cloud.deployment.dbName('stale')}\``,
    );
    const gone = cloud.deployment.dbUrl('gone'); // never created
    for (const [name, db] of [
      ['stale', stale],
      ['gone', gone],
    ]) {
      await manageOk(
        cloud.sections,
        'cell_v2',
        'create_cell',
        '--name',
        name,
        '--database_connection',
        db,
        '--transport-url',
        `inproc://${cloud.deployment.id}_${name}`,
      );
    }
    let s: Scrape | undefined;
    for (let i = 0; i < 100; i++) {
      await http('GET', '/v2.1/servers/detail'); // reaches every cell
      s = await scrape('api');
      if (
        s.value('nova_cell_connection_state', { cell: 'stale', state: 'refused' }) === 1 &&
        s.value('nova_cell_connection_state', { cell: 'gone', state: 'backing_off' }) === 1
      ) {
        break;
      }
      await sleep(100);
    }
    expect(s!.value('nova_cell_connection_state', { cell: 'stale', state: 'refused' })).toBe(1);
    expect(s!.value('nova_cell_connection_state', { cell: 'stale', state: 'open' })).toBe(0);
    expect(s!.value('nova_cell_connection_state', { cell: 'gone', state: 'backing_off' })).toBe(1);
    expect(s!.value('nova_cell_connection_state', { cell: 'cell1', state: 'open' })).toBe(1);
  });

  it('with API workers, the primary serves the sum of every worker', async () => {
    const port = await freePort();
    const workers = cloud.addService(
      'api-workers',
      new ServiceProcess('nova-api', ['--config-file', cloud.configFile], {
        OS_API__AUTH_STRATEGY: 'noauth2',
        OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
        OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
        OS_DEFAULT__OSAPI_COMPUTE_WORKERS: '2',
      }),
    );
    const url = await metricsUrl(workers);
    const started = (l: { msg: string }) => /nova-api listening/.test(l.msg);
    // Both workers up (each logs its own listening line).
    await workers.waitFor(() => workers.lines.filter(started).length >= 2, 90_000);
    const requests = 6;
    for (let i = 0; i < requests; i++) {
      // A new connection each time: the cluster hands connections to the workers in turn.
      const res = await fetch(`http://127.0.0.1:${port}/v2.1/flavors`, {
        headers: { 'x-auth-token': 'admin:admin', connection: 'close' },
      });
      expect(res.status).toBe(200);
    }
    const s = await Scrape.of(url);
    expect(
      s.value('nova_http_requests_total', { method: 'GET', route: '/v2.1/flavors', status: '200' }),
    ).toBe(requests);
  });

  it('a call nobody answers is counted as a timeout', async () => {
    const [row] = await query<{ uuid: string }>(
      cloud.deployment.dbName('cell1'),
      "SELECT uuid FROM instances WHERE display_name = 'metered'",
    );
    await cloud.computes.get('cell1-c1')!.kill();
    const res = await http('POST', `/v2.1/servers/${row.uuid}/action`, {
      'os-getConsoleOutput': {},
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const s = await scrape('api');
    expect(s.value('nova_rpc_timeouts_total', { method: 'get_console_output' })).toBe(1);
    expect(
      s.value('nova_rpc_sent_total', {
        kind: 'call',
        method: 'get_console_output',
        outcome: 'timeout',
      }),
    ).toBe(1);
  });
});

/**
 * npm run conformance — OpenStack's own test suite against us. Runs after
 * scripts/conformance/run has Keystone, Glance and Neutron up on loopback
 * (scripts/openstack-services): starts our services as separate processes on
 * MariaDB + RabbitMQ + Redis with `[api] auth_strategy = keystone` and Glance as
 * image service, two cells with one fake compute each, creates Tempest's
 * flavors, writes tempest.conf with the settings Nova Zed was measured on, runs
 * `tempest run --regex '^tempest.api.compute' --concurrency 2`, prints
 * passed/failed/skipped and writes the lists. Everything of ours it started
 * stops at the end.
 *
 * Environment: CONFORMANCE_DIR (workspace, default .conformance/ in the
 * checkout), CONFORMANCE_REGEX (default ^tempest.api.compute),
 * CONFORMANCE_CONCURRENCY (2), CONFORMANCE_FEATURES=all (turn on the
 * [compute-feature-enabled] flags of what we support, see FEATURES_WE_SUPPORT).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Stack } from '../lib/stack';
import { AutoAllocationDefaults } from './auto-allocation';
import { adminToken, credentials, imageId, KEYSTONE, networkExtensions, GLANCE } from './openstack';
import {
  failureDetails,
  lastResults,
  prepareWorkspace,
  runTempest,
  type TempestResults,
} from './tempest';

const REPO = resolve(__dirname, '..', '..', '..');
const WORKSPACE = resolve(process.env['CONFORMANCE_DIR'] ?? join(REPO, '.conformance'));
const REGEX = process.env['CONFORMANCE_REGEX'] ?? '^tempest.api.compute';
const CONCURRENCY = Number(process.env['CONFORMANCE_CONCURRENCY'] ?? 2);
const NOVA_PORT = 8774;

/** What the product does beyond the baseline's fake-driver Nova (the second run's flags). */
const FEATURES_WE_SUPPORT: Readonly<Record<string, boolean>> = {
  // The fake guest agent takes the password and posts it back encrypted.
  change_password: true,
  // createImage/createBackup and shelve/unshelve, with the computes uploading to Glance.
  snapshot: true,
  shelve: true,
  // Moves inside a cell: the second run gives each cell two hosts for them.
  resize: true,
  cold_migration: true,
  live_migration: true,
  // Personality files reach the guest through the config drive.
  personality: true,
};
const ALL_FEATURES = process.env['CONFORMANCE_FEATURES'] === 'all';
/** The baseline's one compute per cell; two when the moves are on. */
const HOSTS_PER_CELL = ALL_FEATURES ? 2 : 1;

/** Tempest's flavors on the baseline: m1.nano (42) and m1.micro (84). */
const FLAVORS = [
  { id: '42', name: 'm1.nano', ram: 128, vcpus: 1, disk: 1 },
  { id: '84', name: 'm1.micro', ram: 192, vcpus: 1, disk: 1 },
];

async function novaCall(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${NOVA_PORT}/v2.1${path}`, {
    method,
    headers: {
      'x-auth-token': token,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

async function createFlavors(token: string): Promise<void> {
  for (const flavor of FLAVORS) {
    if ((await novaCall(token, 'GET', `/flavors/${flavor.id}`)).status === 200) {
      continue;
    }
    const res = await novaCall(token, 'POST', '/flavors', { flavor });
    if (res.status !== 200) {
      throw new Error(
        `creating flavor ${flavor.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  }
}

function writeLists(dir: string, results: TempestResults): void {
  for (const [name, list] of Object.entries(results) as Array<[string, string[]]>) {
    writeFileSync(join(dir, `${name}.txt`), list.length > 0 ? `${list.join('\n')}\n` : '');
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const creds = credentials();
  const logs = join(WORKSPACE, 'nova-logs');
  mkdirSync(logs, { recursive: true });
  const stack = new Stack({
    cells: ['cell1', 'cell2'],
    hostsPerCell: HOSTS_PER_CELL,
    apiLogLevel: 'info',
    serviceLogLevel: 'info',
    port: NOVA_PORT,
    dir: logs,
    extra: {
      // Neutron runs without agents: nothing sends network-vif-plugged, so the
      // computes do not wait for it (Nova's fake driver never waits either).
      DEFAULT: { host: 'controller', vif_plugging_timeout: '0' },
      api: { auth_strategy: 'keystone' },
      keystone_authtoken: {
        www_authenticate_uri: KEYSTONE,
        auth_url: KEYSTONE,
        auth_type: 'password',
        username: 'nova',
        password: creds.servicePassword,
        project_name: 'service',
        user_domain_name: 'Default',
        project_domain_name: 'Default',
      },
      glance: { api_servers: GLANCE },
      // The baseline's Nova has Neutron as its network service: so have we.
      neutron: {
        auth_url: KEYSTONE,
        auth_type: 'password',
        username: 'neutron',
        password: creds.servicePassword,
        project_name: 'service',
        user_domain_name: 'Default',
        project_domain_name: 'Default',
        region_name: 'RegionOne',
      },
      scheduler: { discover_hosts_in_cells_interval: '2' },
      fake_driver: { vcpus: '64', memory_mb: '131072', local_gb: '2000' },
    },
  });
  let autoAllocation: AutoAllocationDefaults | undefined;
  const onSignal = (signal: string) => {
    console.error(`\n${signal}: stopping our services`);
    void Promise.allSettled([autoAllocation?.remove(), stack.cleanup(true)]).finally(() =>
      process.exit(130),
    );
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const log = (s: string) => console.log(`[conformance] ${s}`);
  try {
    await stack.setUp(log);
    await stack.start(log);
    await stack.waitForHosts(2 * HOSTS_PER_CELL);
    const token = await adminToken(creds.adminPassword);
    await createFlavors(token);
    autoAllocation = await AutoAllocationDefaults.create(token);
    const version = (await novaCall(token, 'GET', '/')).body['version'] as { version: string };
    const settings = {
      workspace: join(WORKSPACE, 'tempest'),
      adminPassword: creds.adminPassword,
      imageRef: await imageId(token, 'cirros'),
      imageRefAlt: await imageId(token, 'cirros-alt'),
      maxMicroversion: version.version,
      networkExtensions: await networkExtensions(token),
      minComputeNodes: HOSTS_PER_CELL,
      ...(ALL_FEATURES ? { features: FEATURES_WE_SUPPORT } : {}),
    };
    await prepareWorkspace(settings);
    log(
      `tempest run --regex '${REGEX}' --concurrency ${CONCURRENCY} (max_microversion ${version.version})`,
    );
    let done = 0;
    const tempestLog = join(WORKSPACE, 'tempest-run.log');
    const code = await runTempest(settings.workspace, REGEX, CONCURRENCY, tempestLog, (line) => {
      if (/^\{\d+\} .* \.\.\. (ok|FAILED|SKIPPED)/.test(line)) {
        done += 1;
        if (/FAILED/.test(line) || done % 50 === 0) {
          log(`${done} done; ${line.replace(/^\{\d+\} /, '').slice(0, 160)}`);
        }
      }
    });
    const results = await lastResults(settings.workspace);
    writeLists(WORKSPACE, results);
    writeFileSync(join(WORKSPACE, 'failures.txt'), await failureDetails(settings.workspace));
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const total = results.passed.length + results.failed.length + results.skipped.length;
    console.log(
      `\nTempest ${REGEX}: ${total} tests — ${results.passed.length} passed, ` +
        `${results.failed.length} failed, ${results.skipped.length} skipped ` +
        `(tempest exit ${code}, ${minutes} min in all)`,
    );
    console.log(
      `lists: ${WORKSPACE}/{passed,failed,skipped}.txt, tracebacks: failures.txt, logs: ${logs}`,
    );
    return results.failed.length === 0 ? 0 : 1;
  } finally {
    await autoAllocation?.remove().catch((err: unknown) => {
      console.error(`[conformance] removing the auto-allocation defaults: ${String(err)}`);
    });
    await stack.cleanup(true);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);

/**
 * Tempest (Debian's package): a workspace, its tempest.conf with the settings
 * Nova Zed was measured on (../shared/reference/tempest-baseline.md; only
 * max_microversion is ours), a run, and the run's results read back from stestr.
 */
import { spawn, execFile } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'ini';

const execFileP = promisify(execFile);

export interface TempestSettings {
  readonly workspace: string;
  readonly adminPassword: string;
  readonly imageRef: string;
  readonly imageRefAlt: string;
  readonly maxMicroversion: string;
  readonly networkExtensions: readonly string[];
  /** Tempest skips the move tests below two (per cell: we do not move across cells). */
  readonly minComputeNodes: number;
  /** Overrides of [compute-feature-enabled] (the second run turns on what we support). */
  readonly features?: Readonly<Record<string, boolean>>;
}

/** [compute-feature-enabled] as on the Nova Zed baseline (fake driver, one compute per cell). */
export const BASELINE_FEATURES: Readonly<Record<string, boolean>> = {
  resize: false,
  cold_migration: false,
  live_migration: false,
  block_migration_for_live_migration: false,
  snapshot: false,
  shelve: false,
  shelve_migrate: false,
  console_output: true,
  vnc_console: false,
  spice_console: false,
  serial_console: false,
  rescue: true,
  pause: true,
  suspend: true,
  change_password: false,
  interface_attach: false,
  attach_encrypted_volume: false,
  config_drive: true,
  personality: false,
  metadata_service: false,
  volume_multiattach: false,
  xenapi_apis: false,
};

export function tempestConf(s: TempestSettings): string {
  const bool = (b: boolean) => (b ? 'true' : 'false');
  const features = { ...BASELINE_FEATURES, ...s.features };
  return stringify({
    DEFAULT: { log_dir: join(s.workspace, 'logs'), log_file: 'tempest.log', use_stderr: 'false' },
    auth: {
      use_dynamic_credentials: 'true',
      create_isolated_networks: 'false',
      tempest_roles: 'member',
      admin_username: 'admin',
      admin_password: s.adminPassword,
      admin_project_name: 'admin',
      admin_domain_name: 'Default',
    },
    identity: {
      uri_v3: 'http://127.0.0.1:5000/v3',
      auth_version: 'v3',
      region: 'RegionOne',
      v3_endpoint_type: 'public',
    },
    'identity-feature-enabled': { api_v2: 'false' },
    compute: {
      image_ref: s.imageRef,
      image_ref_alt: s.imageRefAlt,
      flavor_ref: '42',
      flavor_ref_alt: '84',
      region: 'RegionOne',
      endpoint_type: 'publicURL',
      min_microversion: '2.1',
      max_microversion: s.maxMicroversion,
      build_timeout: '120',
      min_compute_nodes: String(s.minComputeNodes),
    },
    'compute-feature-enabled': Object.fromEntries(
      Object.entries(features).map(([k, v]) => [k, bool(v)]),
    ),
    service_available: {
      nova: 'true',
      glance: 'true',
      neutron: 'true',
      cinder: 'false',
      swift: 'false',
      heat: 'false',
      horizon: 'false',
    },
    network: { project_networks_reachable: 'false', shared_physical_network: 'false' },
    'network-feature-enabled': {
      floating_ips: 'false',
      port_security: 'true',
      api_extensions: s.networkExtensions.join(','),
    },
    image: { region: 'RegionOne', endpoint_type: 'publicURL' },
    'image-feature-enabled': { api_v2: 'true' },
    placement: { region: 'RegionOne' },
    validation: { run_validation: 'false' },
  });
}

/** `tempest init` once, then (re)write etc/tempest.conf. */
export async function prepareWorkspace(s: TempestSettings): Promise<void> {
  if (!existsSync(join(s.workspace, '.stestr.conf'))) {
    // A workspace deleted by hand stays registered, and init then refuses its name.
    await execFileP('tempest', ['workspace', 'remove', '--name', basename(s.workspace)]).catch(
      () => undefined,
    );
    await execFileP('tempest', ['init', s.workspace], { timeout: 120_000 });
  }
  writeFileSync(join(s.workspace, 'etc', 'tempest.conf'), tempestConf(s));
}

/**
 * `tempest run` in the workspace; its output goes to `logFile`, and each
 * finished test advances `onResult` (subunit-trace's "{n} name ... ok" lines).
 */
export function runTempest(
  workspace: string,
  regex: string,
  concurrency: number,
  logFile: string,
  onLine: (line: string) => void,
): Promise<number | null> {
  const out = createWriteStream(logFile);
  const child = spawn('tempest', ['run', '--regex', regex, '--concurrency', String(concurrency)], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let partial = '';
  const feed = (chunk: Buffer) => {
    out.write(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(onLine);
  };
  child.stdout.on('data', feed);
  child.stderr.on('data', feed);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      out.end();
      resolve(code);
    }),
  );
}

export interface TempestResults {
  readonly passed: string[];
  readonly failed: string[];
  readonly skipped: string[];
}

/** The last run's results, from `stestr last --subunit` through subunit2csv. */
export async function lastResults(workspace: string): Promise<TempestResults> {
  // Both tools exit 1 when the run had failures; their output is the report all the same.
  const stdout = await outputOf(
    'bash',
    ['-c', 'stestr last --subunit | subunit2csv --no-passthrough'],
    workspace,
  );
  const results: TempestResults = { passed: [], failed: [], skipped: [] };
  for (const line of stdout.split(/\r?\n/).slice(1)) {
    // test,status,start_time,stop_time; a name with tags is quoted ("x[id-…,smoke]").
    const match = /^("(?:[^"]|"")*"|[^,]*),([^,]*)/.exec(line);
    if (!match) {
      continue;
    }
    const test = match[1].replace(/^"|"$/g, '');
    const status = match[2];
    const name = test.replace(/\[.*\]$/, '');
    if (status === 'success' || status === 'xfail') {
      results.passed.push(name);
    } else if (status === 'skip') {
      results.skipped.push(name);
    } else if (status === 'fail' || status === 'failure' || status === 'uxsuccess') {
      results.failed.push(name);
    }
  }
  for (const list of Object.values(results) as string[][]) {
    list.sort();
  }
  return results;
}

/** Tracebacks of the failed tests (`stestr failing`), for the failure report. */
export function failureDetails(workspace: string): Promise<string> {
  return outputOf('stestr', ['failing'], workspace);
}

/** A command's stdout, whatever its exit code (stestr's tools exit 1 on failed tests). */
async function outputOf(command: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await execFileP(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const stdout = (err as { stdout?: unknown }).stdout;
    if (typeof stdout === 'string' && stdout !== '') {
      return stdout;
    }
    throw err;
  }
}

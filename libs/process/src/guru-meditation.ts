import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { describeError, maskUrl } from '@nova/common';
import { optionsOf, SECTIONS, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { cellConnectionReports } from '@nova/metrics';
import { rpcInFlight } from '@nova/rpc';

const RULE = '='.repeat(72);

function heading(title: string): string {
  const pad = 72 - 8 - title.length;
  const left = Math.floor(pad / 2);
  return `${RULE}\n====${' '.repeat(left)}${title}${' '.repeat(pad - left)}====\n${RULE}`;
}

const ms = (ns: number) => (ns / 1e6).toFixed(3);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Every option of every section, as loaded; secrets never in clear (passwords
 * as ***, URLs with their passwords masked, whatever option carries them).
 */
export function maskedConfig(config: NovaConfig): string[] {
  const lines: string[] = [];
  for (const [section, cls] of Object.entries(SECTIONS)) {
    lines.push(`[${section}]`);
    const values = config[section as keyof typeof SECTIONS] as unknown as Record<string, unknown>;
    for (const meta of optionsOf(cls)) {
      // Options are strings, numbers, booleans or lists of strings.
      const value = values[meta.name] as string | number | boolean | string[] | null | undefined;
      let shown: string;
      if (value === undefined || value === null) {
        shown = '<None>';
      } else {
        const text = Array.isArray(value) ? value.join(',') : String(value);
        shown = text.includes('://') ? maskUrl(text) : meta.secret ? '***' : text;
        if (meta.secret && shown === text && text !== '') {
          shown = '***';
        }
      }
      lines.push(`  ${meta.name} = ${shown}`);
    }
  }
  return lines;
}

export interface ReportSources {
  readonly name: string;
  readonly config: NovaConfig;
  readonly loopDelay: ReturnType<typeof monitorEventLoopDelay>;
}

/** oslo.reports' Guru Meditation Report, with what a Node process has instead of threads. */
export function guruMeditationReport(src: ReportSources, signal: string): string {
  const heap = process.memoryUsage();
  const v8 = getHeapStatistics();
  const now = performance.now();
  const loop = src.loopDelay;
  const cells = cellConnectionReports();
  const inFlight = rpcInFlight();
  return [
    RULE,
    '====                        Guru Meditation                         ====',
    RULE,
    '||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||',
    '',
    heading('Package'),
    'product = nova-ts',
    `binary = ${src.name}`,
    `signal = ${signal}`,
    `time = ${new Date().toISOString()}`,
    heading('Process'),
    `pid = ${process.pid}`,
    `uptime = ${process.uptime().toFixed(1)} s`,
    `node = ${process.version}`,
    `argv = ${process.argv.slice(2).join(' ')}`,
    heading('Event Loop'),
    `lag mean = ${ms(loop.mean)} ms`,
    `lag p50 = ${ms(loop.percentile(50))} ms`,
    `lag p99 = ${ms(loop.percentile(99))} ms`,
    `lag max = ${ms(loop.max)} ms`,
    heading('Heap'),
    `rss = ${mib(heap.rss)}`,
    `heap used = ${mib(heap.heapUsed)}`,
    `heap total = ${mib(heap.heapTotal)}`,
    `heap limit = ${mib(v8.heap_size_limit)}`,
    `external = ${mib(heap.external)}`,
    heading('Cells'),
    ...(cells.length === 0
      ? ['(no cell connections)']
      : cells.map((c) => {
          const pool = c.pool
            ? ` pool used=${c.pool.used} idle=${c.pool.idle} waiting=${c.pool.waiting}`
            : '';
          return `${c.cell}: ${c.state}${pool}`;
        })),
    heading('RPC In Flight'),
    ...(inFlight.length === 0
      ? ['(none)']
      : inFlight.map(
          (r) =>
            `${r.kind} ${r.method}${r.target ? ` -> ${r.target}` : ''} for ${((now - r.since) / 1000).toFixed(3)} s`,
        )),
    heading('Configuration'),
    `files = ${src.config.files.join(', ')}`,
    ...maskedConfig(src.config),
    '',
  ].join('\n');
}

/**
 * How often the event loop's delay is sampled for the report: each sample
 * wakes the process, and at 10 ms that alone cost an idle process 0.4 % of a
 * core (a 50-cell region runs 100 of them).
 */
const LOOP_DELAY_RESOLUTION_MS = 100;

/**
 * SIGUSR2 (Nova's) and SIGUSR1 (older releases') write a Guru Meditation Report
 * to stderr, or to a file `<binary>_gurumeditation_<time>` in `[oslo_reports]
 * log_dir`. The process goes on untouched (the handler replaces Node's
 * SIGUSR1 inspector activation).
 */
export function installGuruMeditation(name: string, config: NovaConfig): void {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const log = getLogger(name);
  const write = (signal: string): void => {
    try {
      const report = guruMeditationReport({ name, config, loopDelay }, signal);
      const dir = config.oslo_reports.log_dir;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
        const file = join(dir, `${name}_gurumeditation_${stamp}_${process.pid}`);
        writeFileSync(file, report);
        log.info({ file, signal }, 'Guru Meditation Report written');
      } else {
        process.stderr.write(report);
      }
    } catch (err) {
      log.error({ err: describeError(err) }, 'could not write the Guru Meditation Report');
    }
  };
  process.on('SIGUSR2', () => write('SIGUSR2'));
  process.on('SIGUSR1', () => write('SIGUSR1'));
}

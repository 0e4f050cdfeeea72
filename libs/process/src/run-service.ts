import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { describeError } from '@nova/common';
import {
  ConfigError,
  extractConfigFiles,
  loadConfig,
  resolveConfigFiles,
  type NovaConfig,
} from '@nova/config';
import { configureLogging, getLogger, NestLogger } from '@nova/logging';
import { answerMetricsForPrimary, listenMetrics, type MetricsListener } from '@nova/metrics';
import { Notifier, notificationSettings, setProcessNotifier } from '@nova/notifications';
import { installGuruMeditation } from './guru-meditation';
import { isWorkerPrimary, superviseWorkers } from './workers';

/** What a started service hands back: closed on SIGINT/SIGTERM (a Nest application, or less). */
export interface RunningService {
  close(): Promise<void>;
}

export interface ServiceDefinition<App extends RunningService = RunningService> {
  /** Binary name, for logs and messages. */
  readonly name: string;
  /**
   * Build and start the process; returns what must be closed on SIGTERM. `argv`
   * is the command line without its `--config-file` options.
   */
  start(config: NovaConfig, argv: readonly string[]): Promise<App>;
  /** How many worker processes share the work (default 1: this process serves alone). */
  workers?(config: NovaConfig): number;
  /** SIGHUP: re-read what can change without a restart (the policy file). */
  reload?(app: App): void;
}

/**
 * The life of every nova-* service binary: read --config-file (repeatable) and
 * validate the config (a bad value ends the process with one line on stderr and
 * exit 1), configure logging, start, and shut down cleanly on SIGINT/SIGTERM.
 */
export async function runService<App extends RunningService>(
  service: ServiceDefinition<App>,
  argv = process.argv.slice(2),
): Promise<void> {
  let config: NovaConfig;
  let rest: string[];
  try {
    const extracted = extractConfigFiles(argv);
    rest = extracted.rest;
    config = loadConfig({ files: resolveConfigFiles(extracted.files), env: process.env });
  } catch (err) {
    process.stderr.write(
      `${service.name}: ${err instanceof ConfigError ? err.message : describeError(err)}\n`,
    );
    process.exit(1);
  }
  configureLogging({ level: config.DEFAULT.debug ? 'debug' : 'info' });
  const log = getLogger(service.name);
  installGuruMeditation(service.name, config);
  const workers = service.workers?.(config) ?? 1;
  if (isWorkerPrimary(workers)) {
    superviseWorkers(service.name, workers);
    await serveMetrics(service.name, config, true);
    return;
  }
  const notifications = new Notifier(notificationSettings(config));
  setProcessNotifier(notifications, { service: service.name, host: config.DEFAULT.host });
  let app: App;
  try {
    app = await service.start(config, rest);
  } catch (err) {
    log.error({ err: describeError(err) }, `${service.name} failed to start`);
    process.stderr.write(`${service.name}: ${describeError(err)}\n`);
    process.exit(1);
  }
  let metrics: MetricsListener | undefined;
  if (workers > 1) {
    answerMetricsForPrimary(); // the primary serves /metrics for every worker
  } else {
    metrics = await serveMetrics(service.name, config, false);
  }
  // Services that listen keep the loop alive themselves; the others idle until signalled.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, `${service.name} stopping`);
    clearInterval(keepAlive);
    void Promise.all([app.close(), metrics?.close()])
      .then(() => notifications.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => {
    if (service.reload) {
      log.info(`${service.name} reloading on SIGHUP`);
      try {
        service.reload(app);
      } catch (err) {
        log.error({ err: describeError(err) }, 'reload failed; the previous settings stay');
      }
    }
  });
}

/** Nest options every service uses: our logger, errors surfaced instead of process.exit. */
export const nestOptions = { logger: new NestLogger(), abortOnError: false } as const;

export type ModuleFactory = (config: NovaConfig) => DynamicModule;

/** The `[metrics]` listener, when a port is configured (a failure to bind ends the process). */
async function serveMetrics(
  name: string,
  config: NovaConfig,
  aggregateWorkers: boolean,
): Promise<MetricsListener | undefined> {
  const { listen, port } = config.metrics;
  if (port === undefined) {
    return undefined;
  }
  try {
    const listener = await listenMetrics({ listen, port, aggregateWorkers });
    getLogger(name).info({ url: listener.url }, `${name} metrics on ${listener.url}`);
    return listener;
  } catch (err) {
    process.stderr.write(
      `${name}: cannot serve metrics on ${listen}:${port}: ${describeError(err)}\n`,
    );
    process.exit(1);
  }
}

import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Every metric a nova process exports, in one place so names and labels stay
 * consistent across processes (a process that never touches a metric exports it
 * empty). All live in prom-client's default registry.
 */

/** Latency buckets (seconds) for requests and RPC: 1 ms to 60 s. */
const LATENCY = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Database queries are mostly sub-millisecond: finer at the low end. */
const QUERY_LATENCY = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5];

export const httpRequests = new Counter({
  name: 'nova_http_requests_total',
  help: 'Compute API requests by method, route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
});

export const httpRequestDuration = new Histogram({
  name: 'nova_http_request_duration_seconds',
  help: 'Compute API request latency by method, route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY,
});

export const rpcSent = new Counter({
  name: 'nova_rpc_sent_total',
  help: 'RPC messages sent, by kind (call or cast), method and outcome (ok, error, timeout).',
  labelNames: ['kind', 'method', 'outcome'] as const,
});

export const rpcCallDuration = new Histogram({
  name: 'nova_rpc_call_duration_seconds',
  help: 'Round trip of RPC calls (until the reply or the timeout), by method.',
  labelNames: ['method'] as const,
  buckets: LATENCY,
});

export const rpcTimeouts = new Counter({
  name: 'nova_rpc_timeouts_total',
  help: 'RPC calls that got no reply within their timeout, by method.',
  labelNames: ['method'] as const,
});

export const rpcHandled = new Counter({
  name: 'nova_rpc_handled_total',
  help: 'RPC messages this process handled, by method and outcome (ok, error).',
  labelNames: ['method', 'outcome'] as const,
});

export const rpcHandlerDuration = new Histogram({
  name: 'nova_rpc_handler_duration_seconds',
  help: 'Time this process spent handling an RPC message, by method.',
  labelNames: ['method'] as const,
  buckets: LATENCY,
});

export const dbQueryDuration = new Histogram({
  name: 'nova_db_query_duration_seconds',
  help: 'Database query latency by database (api, or the cell name).',
  labelNames: ['database'] as const,
  buckets: QUERY_LATENCY,
});

export const mappingCache = new Counter({
  name: 'nova_instance_mapping_cache_total',
  help: 'Instance-mapping cache lookups by result (hit, miss, error).',
  labelNames: ['result'] as const,
});

export const schedulerDecisions = new Counter({
  name: 'nova_scheduler_decisions_total',
  help: 'select_destinations requests by outcome (selected, no_valid_host, error).',
  labelNames: ['outcome'] as const,
});

export const schedulerNoValidHost = new Counter({
  name: 'nova_scheduler_no_valid_host_total',
  help: 'select_destinations requests that found no valid host.',
});

export const schedulerDuration = new Histogram({
  name: 'nova_scheduler_select_duration_seconds',
  help: 'Time to select (and claim) destinations.',
  buckets: LATENCY,
});

export const builds = new Counter({
  name: 'nova_builds_total',
  help: 'Instance builds by outcome (active, rescheduled, error, deleted).',
  labelNames: ['outcome'] as const,
});

/** Something that reports per-cell connection state at scrape time (a cell router's pool). */
export interface CellConnectionSource {
  cellStates(): Iterable<CellConnectionReport>;
}

export interface CellConnectionReport {
  readonly cell: string;
  /** open, opening, backing_off, refused or closed. */
  readonly state: string;
  /** Database pool connections, when the pool is open and has a size to report. */
  readonly pool?: { readonly used: number; readonly idle: number; readonly waiting: number };
}

export const CELL_STATES = ['open', 'opening', 'backing_off', 'refused', 'closed'] as const;

const cellSources = new Set<CellConnectionSource>();

/** Report a source's cells on every scrape until the returned function is called. */
export function addCellConnectionSource(source: CellConnectionSource): () => void {
  cellSources.add(source);
  return () => cellSources.delete(source);
}

/** Every reported cell connection now (the Guru Meditation Report lists them). */
export function cellConnectionReports(): CellConnectionReport[] {
  const reports: CellConnectionReport[] = [];
  eachCell((r) => reports.push(r));
  return reports;
}

function eachCell(fn: (report: CellConnectionReport) => void): void {
  for (const source of cellSources) {
    for (const report of source.cellStates()) {
      fn(report);
    }
  }
}

export const cellConnectionState = new Gauge({
  name: 'nova_cell_connection_state',
  help: 'Per cell, 1 for its connection state (open, opening, backing_off, refused, closed), else 0.',
  labelNames: ['cell', 'state'] as const,
  collect() {
    this.reset();
    eachCell((r) => {
      for (const state of CELL_STATES) {
        this.set({ cell: r.cell, state }, r.state === state ? 1 : 0);
      }
    });
  },
});

export const dbPoolConnections = new Gauge({
  name: 'nova_db_pool_connections',
  help: 'Per cell database pool: connections in use, idle, and requests waiting for one.',
  labelNames: ['cell', 'state'] as const,
  collect() {
    this.reset();
    eachCell((r) => {
      if (r.pool) {
        this.set({ cell: r.cell, state: 'used' }, r.pool.used);
        this.set({ cell: r.cell, state: 'idle' }, r.pool.idle);
        this.set({ cell: r.cell, state: 'waiting' }, r.pool.waiting);
      }
    });
  },
});

/** The registry the /metrics listener serves. */
export const metricsRegistry = register;

/** What is in flight right now, for the in-flight gauge (and the Guru Meditation Report). */
export interface InFlightSource {
  inFlight(): { calls: number; handlers: number };
}

let inFlightSource: InFlightSource | undefined;

export function setRpcInFlightSource(source: InFlightSource): void {
  inFlightSource = source;
}

export const rpcInFlight = new Gauge({
  name: 'nova_rpc_in_flight',
  help: 'RPC calls waiting for their reply (call) and messages being handled (handler).',
  labelNames: ['kind'] as const,
  collect() {
    const now = inFlightSource?.inFlight() ?? { calls: 0, handlers: 0 };
    this.set({ kind: 'call' }, now.calls);
    this.set({ kind: 'handler' }, now.handlers);
  },
});

import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, collectDefaultMetrics } from 'prom-client';
import { metricsRegistry } from './metrics';

export interface MetricsListener {
  /** The port bound (useful with port 0). */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

let defaultsCollected = false;

/**
 * Serve GET /metrics on a listener of its own (`[metrics] listen`/`port`), in
 * Prometheus' text format. In the primary of a multi-worker service it answers
 * with every worker's metrics summed (prom-client's cluster aggregation over
 * IPC), so a scrape sees the whole service, not one worker at random.
 * Process metrics (heap, event-loop lag, CPU, file descriptors) come with them.
 */
export async function listenMetrics(options: {
  listen: string;
  port: number;
  aggregateWorkers?: boolean;
}): Promise<MetricsListener> {
  if (!defaultsCollected) {
    collectDefaultMetrics({ prefix: 'nova_' });
    defaultsCollected = true;
  }
  const aggregate = options.aggregateWorkers === true && cluster.isPrimary;
  const aggregator = aggregate ? new AggregatorRegistry() : undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    const text = aggregator ? aggregator.clusterMetrics() : metricsRegistry.metrics();
    text.then(
      (body) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.listen, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.listen.includes(':') ? `[${options.listen}]` : options.listen;
  return {
    port,
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** In a cluster worker: answer the primary's requests for this worker's metrics. */
export function answerMetricsForPrimary(): void {
  if (cluster.isWorker) {
    new AggregatorRegistry(); // its constructor installs the IPC listener
  }
}

import { createServer } from 'node:net';
import type { ServiceProcess } from './service-process';

/** One sample of Prometheus' text format: name, labels and value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parse the text exposition format (comments skipped; labels unescaped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) {
      throw new Error(`not a Prometheus sample: ${line}`);
    }
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** A scrape, queried by name and labels (every label given must match). */
export class Scrape {
  constructor(readonly samples: readonly Sample[]) {}

  static async of(url: string): Promise<Scrape> {
    const res = await fetch(url);
    if (res.status !== 200) {
      throw new Error(`GET ${url}: ${res.status}`);
    }
    return new Scrape(parsePrometheus(await res.text()));
  }

  /** The sum of the matching samples (0 when none match). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((sum, s) => sum + s.value, 0);
  }

  matching(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  }
}

/** The /metrics URL a service logged when its listener came up. */
export async function metricsUrl(service: ServiceProcess): Promise<string> {
  const isMetrics = (l: { msg: string; url?: unknown }) =>
    typeof l.url === 'string' && / metrics on /.test(l.msg);
  await service.waitFor(isMetrics);
  return service.lines.find(isMetrics)!['url'] as string;
}

/** A port free right now on loopback (for a listener whose port must be known up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

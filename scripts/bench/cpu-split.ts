/**
 * Where the CPU of a load phase goes: the services named (each with its
 * workers), the servers they share (MariaDB, Redis, RabbitMQ) and this bench
 * process (the load generator, or the code under test, runs in it). Divided by
 * the requests served it gives the CPU a request costs, and so the ceiling the
 * machine's cores set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuSeconds, processTree, type Stack } from '../lib/stack';

/** A process to count, with its children, under `who`. */
export interface Counted {
  readonly who: string;
  readonly pid: number;
}

const SERVERS: Record<string, string> = {
  mariadbd: 'MariaDB',
  mysqld: 'MariaDB',
  'redis-server': 'Redis',
  'beam.smp': 'RabbitMQ',
};

type Sample = Map<string, number>;

function serverPids(): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const name = SERVERS[readFileSync(`/proc/${entry}/comm`, 'utf8').trim()];
      if (name) {
        out.push([name, Number(entry)]);
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The stack's live services: nova-api apart, the others together. */
export function stackServices(stack: Stack): Counted[] {
  return stack.processes
    .filter((p) => p.alive)
    .map((p) => ({ who: p.label === 'nova-api' ? 'nova-api' : 'other services', pid: p.pid }));
}

function sample(services: readonly Counted[], self: string): Sample {
  const by: Sample = new Map();
  const add = (who: string, pid: number) => {
    try {
      by.set(who, (by.get(who) ?? 0) + cpuSeconds(pid));
    } catch {
      // gone meanwhile
    }
  };
  for (const { who, pid } of services) {
    processTree(pid).forEach((one) => add(who, one));
  }
  serverPids().forEach(([who, pid]) => add(who, pid));
  const own = process.cpuUsage();
  by.set(self, (own.user + own.system) / 1e6);
  return by;
}

/**
 * Runs `fn` and splits the CPU it caused per request (`requests` read from its
 * result); `self` names this process's share.
 */
export async function cpuPerRequest<T>(
  services: readonly Counted[],
  self: string,
  fn: () => Promise<T>,
  requests: (result: T) => number,
): Promise<{ result: T; text: string }> {
  const before = sample(services, self);
  const result = await fn();
  const after = sample(services, self);
  const n = Math.max(1, requests(result));
  const parts = [...after]
    .map(([who, s]) => [who, ((s - (before.get(who) ?? 0)) * 1000) / n] as const)
    .filter(([, ms]) => ms >= 0.005)
    .sort((a, b) => b[1] - a[1]);
  const total = parts.reduce((a, [, ms]) => a + ms, 0);
  const ceiling = (cpus().length * 1000) / total;
  const text =
    `CPU per request ${total.toFixed(2)} ms: ` +
    parts.map(([who, ms]) => `${who} ${ms.toFixed(2)}`).join(', ') +
    `; ${cpus().length} cores allow ${ceiling.toFixed(0)} req/s`;
  return { result, text };
}

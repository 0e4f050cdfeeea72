import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testEnv } from './env';

const run = promisify(execFile);

export function rabbitUrl(vhost: string): string {
  const { user, password, host, port } = testEnv.rabbit;
  return `rabbit://${user}:${password}@${host}:${port}/${vhost}`;
}

/** Create a vhost the test user may use (rabbitmqctl; tests run as root like CI). */
export async function createVhost(name: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'add_vhost', name]);
  await run('rabbitmqctl', [
    '-q',
    'set_permissions',
    '-p',
    name,
    testEnv.rabbit.user,
    '.*',
    '.*',
    '.*',
  ]);
}

export async function deleteVhost(name: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'delete_vhost', name]).catch(() => undefined);
}

/** Number of open AMQP connections to a vhost, as the broker sees them. */
export async function connectionsToVhost(name: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_connections',
    'vhost',
    '--no-table-headers',
  ]);
  return stdout.split('\n').filter((line) => line.trim() === name).length;
}

/** One column of every queue of a vhost, by queue name, as the broker sees them. */
async function queueColumn(vhost: string, column: string): Promise<Map<string, string>> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_queues',
    '-p',
    vhost,
    'name',
    column,
    '--no-table-headers',
  ]);
  return new Map(
    stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length === 2)
      .map(([name, value]) => [name, value]),
  );
}

/** Each queue of a vhost and its type (classic, quorum). */
export function queueTypes(vhost: string): Promise<Map<string, string>> {
  return queueColumn(vhost, 'type');
}

/** The consumers of each queue of a vhost. */
export async function queueConsumers(vhost: string): Promise<Map<string, number>> {
  const counts = await queueColumn(vhost, 'consumers');
  return new Map([...counts].map(([name, n]) => [name, Number(n)]));
}

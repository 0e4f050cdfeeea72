/**
 * The floor that bench:servers holds GET /servers/{id} against (issue 13): one
 * HTTP round trip to a Node server that does one Redis GET and one primary-key
 * SELECT on a cell database, then answers a constant. The bench starts it as
 * its own process, as nova-api is, and reads "listening <port>" from stdout.
 *
 * argv[2]: JSON { mysql, redis, database, key }: the connection settings, the
 * cell database to read instances from, and a Redis key (set here to a value
 * the size of a cached instance mapping, deleted at exit).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { createPool, type RowDataPacket } from 'mysql2/promise';

interface FloorOptions {
  mysql: { host: string; port: number; user: string; password: string };
  redis: { host: string; port: number };
  database: string;
  key: string;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as FloorOptions;
  const pool = createPool({ ...options.mysql, database: options.database, connectionLimit: 4 });
  const redis = new Redis(options.redis);
  // The live instances' primary keys, visited in turn as the show visits its servers.
  const [live] = await pool.query<RowDataPacket[]>('SELECT id FROM instances WHERE deleted = 0');
  const ids = live.map((r) => Number(r['id']));
  if (ids.length === 0) {
    throw new Error(`no instance in ${options.database}`);
  }
  await redis.set(
    options.key,
    JSON.stringify({ c: randomUUID(), p: randomUUID(), u: 'x'.repeat(32), q: false }),
  );
  let next = 0;
  const body = JSON.stringify({ floor: true });
  const server = createServer((_req, res) => {
    const id = ids[next++ % ids.length];
    // In turn, as a show must: the mapping tells which cell to read.
    redis
      .get(options.key)
      .then(() => pool.query('SELECT * FROM instances WHERE id = ?', [id]))
      .then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void Promise.allSettled([redis.del(options.key), pool.end()]).finally(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

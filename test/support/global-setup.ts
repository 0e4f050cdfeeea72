import { execSync } from 'node:child_process';
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import { connect } from 'amqplib';
import { testEnv } from './env';

/**
 * Integration tests need real MariaDB, RabbitMQ and Redis. Fail loudly when one is
 * missing (scripts/services starts them), and build once so tests that spawn the
 * binaries run the current code.
 */
export default async function globalSetup(): Promise<void> {
  const { mysql, rabbit, redis } = testEnv;
  const problems: string[] = [];
  await createConnection({ ...mysql, connectTimeout: 3000 })
    .then((c) => c.end())
    .catch((e: Error) => problems.push(`MariaDB at ${mysql.host}:${mysql.port}: ${e.message}`));
  await connect({
    hostname: rabbit.host,
    port: rabbit.port,
    username: rabbit.user,
    password: rabbit.password,
  })
    .then((c) => c.close())
    .catch((e: Error) => problems.push(`RabbitMQ at ${rabbit.host}:${rabbit.port}: ${e.message}`));
  const client = new Redis({
    ...redis,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  await client
    .connect()
    .then(() => client.quit())
    .catch((e: Error) => problems.push(`Redis at ${redis.host}:${redis.port}: ${e.message}`));
  if (problems.length > 0) {
    throw new Error(
      `Integration tests need these servers (run scripts/services):\n  ${problems.join('\n  ')}`,
    );
  }
  // Emit even with type errors (CI checks types separately with `npm run typecheck`),
  // so one unfinished file elsewhere does not stop every integration test.
  execSync(
    'npx tsc -p tsconfig.build.json > /dev/null || true; npx tsc-alias -p tsconfig.build.json',
    {
      stdio: 'inherit',
      cwd: `${__dirname}/../..`,
      shell: '/bin/bash',
    },
  );
}

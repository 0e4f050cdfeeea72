/**
 * The real servers the integration tests use. Each can be pointed elsewhere with
 * an environment variable; a missing server fails the run (no skipped tests).
 */
export const testEnv = {
  mysql: {
    host: process.env['NOVA_TEST_MYSQL_HOST'] ?? '127.0.0.1',
    port: Number(process.env['NOVA_TEST_MYSQL_PORT'] ?? 3306),
    user: process.env['NOVA_TEST_MYSQL_USER'] ?? 'root',
    password: process.env['NOVA_TEST_MYSQL_PASSWORD'] ?? '',
  },
  rabbit: {
    host: process.env['NOVA_TEST_RABBIT_HOST'] ?? '127.0.0.1',
    port: Number(process.env['NOVA_TEST_RABBIT_PORT'] ?? 5672),
    user: process.env['NOVA_TEST_RABBIT_USER'] ?? 'guest',
    password: process.env['NOVA_TEST_RABBIT_PASSWORD'] ?? 'guest',
  },
  redis: {
    host: process.env['NOVA_TEST_REDIS_HOST'] ?? '127.0.0.1',
    port: Number(process.env['NOVA_TEST_REDIS_PORT'] ?? 6379),
  },
};

/** A short random id for naming per-test databases, vhosts and key prefixes. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${process.env['JEST_WORKER_ID'] ?? '0'}_${Math.random().toString(36).slice(2, 8)}`;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'ini';
import { loadConfig, type NovaConfig } from '@nova/config';

export type Sections = Record<string, Record<string, string>>;

/** A validated config from sections only (no files, no environment). */
export function testConfig(sections: Sections): NovaConfig {
  return loadConfig({ files: [], env: {}, overrides: sections });
}

/** Write sections as a nova.conf for child processes; returns its path. */
export function writeConfigFile(
  sections: Sections,
  dir = mkdtempSync(join(tmpdir(), 'nova-conf-')),
): string {
  const path = join(dir, 'nova.conf');
  writeFileSync(path, stringify(sections));
  return path;
}

/** [cache] settings for the shared Redis with a prefix of its own (isolates keys and channels). */
export function redisCache(prefix: string, port = 6379): Record<string, string> {
  return {
    enabled: 'true',
    backend: 'dogpile.cache.redis',
    redis_server: `127.0.0.1:${port}`,
    key_prefix: prefix,
    redis_socket_timeout: '0.5',
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Flavor, API_ENTITIES, API_MIGRATIONS } from '@nova/api-db';
import { closeDataSource, migrateTo, openDataSource } from '@nova/database';
import type { DataSource } from 'typeorm';

/** The embedded default runs many requests at once on one SQLite connection. */
describe('SQLite under concurrent transactions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-sqlite-'));
  const url = `sqlite:///${join(dir, 'api.sqlite')}`;
  let ds: DataSource;

  beforeAll(async () => {
    await migrateTo(url, API_MIGRATIONS);
    ds = await openDataSource(url, {
      entities: API_ENTITIES,
      poolSize: 1,
      connectTimeoutMs: 1000,
      idleTimeoutMs: 1000,
    });
  });

  afterAll(async () => {
    await closeDataSource(ds);
    rmSync(dir, { recursive: true, force: true });
  });

  const flavor = (name: string) => ({
    name,
    flavorid: name,
    memory_mb: 1,
    vcpus: 1,
    root_gb: 0,
    ephemeral_gb: 0,
    swap: 0,
    is_public: true,
    disabled: false,
  });

  it('runs 50 concurrent transactions, saves and reads without interference', async () => {
    const work = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0
        ? ds.getRepository(Flavor).save(ds.getRepository(Flavor).create(flavor(`save-${i}`)))
        : ds.transaction(async (tx) => {
            await tx.getRepository(Flavor).insert(flavor(`tx-${i}`));
            await new Promise((r) => setTimeout(r, 1)); // yield while holding the transaction
            await tx.getRepository(Flavor).update({ flavorid: `tx-${i}` }, { description: 'done' });
          }),
    );
    const reads = Array.from({ length: 20 }, () => ds.getRepository(Flavor).count());
    await Promise.all([...work, ...reads]);
    expect(await ds.getRepository(Flavor).count()).toBe(50);
    expect(await ds.getRepository(Flavor).countBy({ description: 'done' })).toBe(40);
  });

  it('rolls back only the failing transaction, not the work of others running meanwhile', async () => {
    const failing = ds.transaction(async (tx) => {
      await tx.getRepository(Flavor).insert(flavor('doomed'));
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('abort');
    });
    const others = Array.from({ length: 5 }, (_, i) =>
      ds.getRepository(Flavor).insert(flavor(`bystander-${i}`)),
    );
    await expect(failing).rejects.toThrow('abort');
    await Promise.all(others);
    expect(await ds.getRepository(Flavor).countBy({ flavorid: 'doomed' })).toBe(0);
    expect(await ds.getRepository(Flavor).count()).toBe(55);
  });
});

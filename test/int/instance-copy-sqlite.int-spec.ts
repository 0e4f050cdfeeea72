import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CELL_ENTITIES, CELL_MIGRATIONS, InstanceCopy } from '@nova/cells/db';
import { closeDataSource, migrateTo, openDataSource } from '@nova/database';
import type { DataSource } from 'typeorm';

/**
 * The cross-cell copy of an instance on the embedded default's SQLite cell
 * databases (the MariaDB path runs in cross-cell-resize.int-spec.ts): every
 * record copied hidden, events re-attached to their copied actions, actions
 * brought back, and nothing left once purged.
 */
describe('cross-cell instance copy on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-copy-'));
  const open = async (name: string) => {
    const url = `sqlite:///${join(dir, `${name}.sqlite`)}`;
    await migrateTo(url, CELL_MIGRATIONS);
    return openDataSource(url, {
      entities: CELL_ENTITIES,
      poolSize: 1,
      connectTimeoutMs: 1000,
      idleTimeoutMs: 1000,
    });
  };
  let source: DataSource;
  let target: DataSource;
  const uuid = '11111111-2222-3333-4444-555555555555';
  const migration = '66666666-7777-8888-9999-000000000000';
  const now = '2026-12-06 09:00:00';

  beforeAll(async () => {
    source = await open('cell1');
    target = await open('cell2');
    // Other rows first, so the copied ids differ from the source's.
    await target.query(
      "INSERT INTO instance_actions (action, instance_uuid, request_id, created_at, deleted) VALUES ('create', 'other', 'req-x', ?, 0)",
      [now],
    );
    await source.query(
      "INSERT INTO instances (uuid, vm_state, host, hidden, created_at, deleted) VALUES (?, 'active', 'cell1-c1', 0, ?, 0)",
      [uuid, now],
    );
    await source.query(
      "INSERT INTO instance_extra (instance_uuid, flavor, created_at, deleted) VALUES (?, '{}', ?, 0)",
      [uuid, now],
    );
    await source.query(
      "INSERT INTO instance_system_metadata (instance_uuid, `key`, value, created_at, deleted) VALUES (?, 'old_vm_state', 'active', ?, 0)",
      [uuid, now],
    );
    await source.query("INSERT INTO tags (resource_id, tag) VALUES (?, 'blue')", [uuid]);
    await source.query(
      "INSERT INTO instance_actions (action, instance_uuid, request_id, created_at, deleted) VALUES ('resize', ?, 'req-1', ?, 0)",
      [uuid, now],
    );
    await source.query(
      "INSERT INTO instance_actions_events (event, action_id, result, created_at, deleted) VALUES ('conductor_migrate_server', 1, 'Success', ?, 0)",
      [now],
    );
    await source.query(
      "INSERT INTO migrations (uuid, instance_uuid, status, migration_type, hidden, cross_cell_move, created_at, deleted) VALUES (?, ?, 'migrating', 'resize', 0, 1, ?, 0)",
      [migration, uuid, now],
    );
  });

  afterAll(async () => {
    await closeDataSource(source);
    await closeDataSource(target);
    rmSync(dir, { recursive: true, force: true });
  });

  const one = async (ds: DataSource, sql: string, params: unknown[] = [uuid]) =>
    (await ds.query<Array<Record<string, unknown>>>(sql, params))[0];

  it('copies the instance hidden with its records, actions and migration', async () => {
    const bundle = await new InstanceCopy(source).read(uuid, migration);
    expect(bundle).not.toBeNull();
    await new InstanceCopy(target).write(bundle!, true, { hidden: 1 });
    expect(await one(target, 'SELECT hidden, host FROM instances WHERE uuid = ?')).toEqual({
      hidden: 1,
      host: 'cell1-c1',
    });
    expect(await one(target, 'SELECT flavor FROM instance_extra WHERE instance_uuid = ?')).toEqual({
      flavor: '{}',
    });
    expect(await one(target, 'SELECT tag FROM tags WHERE resource_id = ?')).toEqual({
      tag: 'blue',
    });
    expect(
      await one(
        target,
        'SELECT e.event FROM instance_actions_events e JOIN instance_actions a ON a.id = e.action_id WHERE a.instance_uuid = ?',
      ),
    ).toEqual({ event: 'conductor_migrate_server' });
    expect(
      await one(target, 'SELECT hidden, status FROM migrations WHERE uuid = ?', [migration]),
    ).toEqual({
      hidden: 1,
      status: 'migrating',
    });
  });

  it('shows and hides copies, brings new actions back once, and purges every row', async () => {
    const copy = new InstanceCopy(target);
    await copy.setHidden(uuid, false);
    await copy.setMigrationHidden(migration, false);
    expect(await one(target, 'SELECT hidden FROM instances WHERE uuid = ?')).toEqual({ hidden: 0 });
    await target.query(
      "INSERT INTO instance_actions (action, instance_uuid, request_id, created_at, deleted) VALUES ('revertResize', ?, 'req-2', ?, 0)",
      [uuid, now],
    );
    const back = new InstanceCopy(source);
    await back.addMissingActions(uuid, await copy.actions(uuid));
    await back.addMissingActions(uuid, await copy.actions(uuid));
    const actions = await source.query<Array<{ action: string }>>(
      'SELECT action FROM instance_actions WHERE instance_uuid = ? ORDER BY id',
      [uuid],
    );
    expect(actions.map((a) => a.action)).toEqual(['resize', 'revertResize']);

    await copy.purge(uuid, migration);
    for (const table of ['instance_extra', 'instance_system_metadata', 'instance_actions']) {
      expect(
        await one(target, `SELECT COUNT(*) AS n FROM ${table} WHERE instance_uuid = ?`),
      ).toEqual({ n: 0 });
    }
    expect(await one(target, 'SELECT COUNT(*) AS n FROM instances WHERE uuid = ?')).toEqual({
      n: 0,
    });
    expect(
      await one(target, 'SELECT COUNT(*) AS n FROM migrations WHERE uuid = ?', [migration]),
    ).toEqual({ n: 0 });
    expect(await one(target, 'SELECT COUNT(*) AS n FROM instance_actions_events', [])).toEqual({
      n: 0,
    });
    expect(await one(target, 'SELECT COUNT(*) AS n FROM instance_actions', [])).toEqual({ n: 1 });
  });
});

import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { CacheModule } from '@nova/cache';
import { CellRouter } from '@nova/cell-router';
import { cellDb, InstanceMetadata, Tag } from '@nova/cells/db';
import { ServerListing, ServersModule } from '@nova/cells/servers';
import { adminContext } from '@nova/common';
import { ConfigModule } from '@nova/config';
import {
  compareServers,
  effectiveSortKeys,
  type ServerListQuery,
  type ServerRecord,
} from '@nova/servers';
import { testConfig } from '../support/config';
import { TestDeployment } from '../support/deployment';
import { seedInstances } from '../support/seed';

const PER_CELL = 230;

/**
 * A list across cells read in batches (`[api] instance_list_cells_batch_strategy`):
 * with batches of 100, a page of 1,000 over two cells of 230 servers reads
 * each cell three times, a page of 150 once or twice, and every page is the
 * single sorted list cut where it asked.
 */
describe('server listing in batches per cell (MariaDB)', () => {
  let d: TestDeployment;
  let app: INestApplicationContext;
  let listing: ServerListing;
  let all: string[];
  const queries: string[] = [];
  /** Per read of the record tables: how many servers it asked for. */
  const recordReads: number[] = [];
  /** Per read of the record tables: how many servers each table was asked for. */
  const recordTables: Array<Record<string, number>> = [];
  /** Per cell (by name): an admin context targeting it. */
  const cellCtx = new Map<string, ReturnType<CellRouter['targetCell']>>();
  /** The last page read from a cell: its statement and parameters, and that cell's database. */
  let lastPage: { sql: string; params: unknown[]; ds: DataSource } | undefined;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', cells: ['cell1', 'cell2'] });
    const sections = {
      ...d.sections,
      api: {
        ...d.sections['api'],
        instance_list_cells_batch_strategy: 'fixed',
        instance_list_cells_batch_fixed_size: '100',
      },
    };
    @Module({ imports: [ConfigModule.forRoot(testConfig(sections)), CacheModule, ServersModule] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    listing = app.get(ServerListing);
    const router = app.get(CellRouter);
    const uuids: string[] = [];
    for (const cell of (await router.cells()).filter((c) => c.name !== 'cell0')) {
      const ctx = router.targetCell(adminContext(), cell);
      cellCtx.set(cell.name ?? cell.uuid, ctx);
      const seeded = await seedInstances(ctx, PER_CELL);
      uuids.push(...seeded);
      // A metadata item per server naming it, to see each listed server's records.
      await (
        await ctx.cell.db()
      )
        .getRepository(InstanceMetadata)
        .insert(seeded.map((u) => ({ instance_uuid: u, key: 'is', value: u, deleted: 0 })));
      // Every SELECT on the cell's instances, to count the batches read.
      const ds = await ctx.cell.db();
      ds.logger = {
        logQuery: (sql: string, params?: unknown[]) => {
          if (/^SELECT .* FROM `instances`/s.test(sql)) {
            queries.push(cell.name ?? cell.uuid);
            lastPage = { sql, params: params ?? [], ds };
          }
          const extra = /FROM instance_extra WHERE instance_uuid IN \(([?, ]*)\)/.exec(sql);
          if (extra) {
            recordReads.push(extra[1].split('?').length - 1);
          }
          if (/ AS k, /.test(sql)) {
            const tables: Record<string, number> = {};
            for (const m of sql.matchAll(/FROM (\w+) WHERE [^(]*IN \(([?, ]*)\)/g)) {
              tables[m[1]] = m[2].split('?').length - 1;
            }
            recordTables.push(tables);
          }
        },
        logQueryError: () => undefined,
        logQuerySlow: () => undefined,
        logSchemaBuild: () => undefined,
        logMigration: () => undefined,
        log: () => undefined,
      };
    }
    all = uuids;
  });

  afterAll(async () => {
    await app?.close();
    await d?.cleanup();
  });

  const list = async (limit: number, extra: Partial<ServerListQuery> = {}) => {
    queries.length = 0;
    recordReads.length = 0;
    recordTables.length = 0;
    const query: ServerListQuery = {
      allTenants: true,
      sort: effectiveSortKeys([]),
      limit,
      downCellMinimal: false,
      ...extra,
    };
    const servers = (await listing.list(adminContext(), query)).servers as ServerRecord[];
    // In the requested order (newest first, then uuid), whichever cell each came from.
    const compare = compareServers(query.sort);
    expect(servers.every((s, i) => i === 0 || compare(servers[i - 1], s) < 0)).toBe(true);
    // Each with its own records, though they were read after the merge.
    expect(servers.every((s) => s.metadata['is'] === s.uuid)).toBe(true);
    return servers.map((s) => s.uuid);
  };

  it('a page larger than the cells reads each to its end, batch after batch, and lists all in order', async () => {
    const whole = await list(1000);
    expect(new Set(whole)).toEqual(new Set(all));
    expect(whole).toHaveLength(2 * PER_CELL);
    // 230 rows in batches of 100: 100, 100, 30 per cell.
    expect(queries.filter((c) => c === 'cell1')).toHaveLength(3);
    expect(queries.filter((c) => c === 'cell2')).toHaveLength(3);

    const page = await list(150);
    expect(page).toEqual(whole.slice(0, 150));
    // The two cells' servers interleave in time: about 75 of each, one batch apiece.
    expect(queries.length).toBeLessThanOrEqual(3);
  });

  it('reads the records of the servers a page keeps, not of every row the cells gave', async () => {
    const page = await list(150);
    expect(page).toHaveLength(150);
    // At least 200 rows read (a batch of 100 per cell), records for the 150
    // kept: one read per cell.
    expect(recordReads).toHaveLength(2);
    expect(recordReads.reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('reads only the records the view shows: none in brief, tags from 2.26, faults of ERROR servers, reasons of locked ones', async () => {
    const newest = await list(40);
    const [failed, locked, tagged] = [newest.slice(0, 3), newest.slice(3, 5), newest[5]];
    // Each in cell1 or cell2: written in the cell that has it.
    const cellOf = async (uuid: string) => {
      for (const ctx of cellCtx.values()) {
        if (await (await cellDb(ctx)).servers.get(uuid)) {
          return ctx;
        }
      }
      throw new Error(`${uuid} in no cell`);
    };
    for (const uuid of failed) {
      const { writer } = await cellDb(await cellOf(uuid));
      await writer.compareAndSwap(uuid, 'any', { vm_state: 'error', task_state: null });
      await writer.addFault(uuid, 500, `fault of ${uuid}`, null, null);
    }
    for (const uuid of locked) {
      const { writer } = await cellDb(await cellOf(uuid));
      await writer.compareAndSwap(uuid, 'any', { locked: true, locked_by: 'admin' });
      await writer.setSystemMetadata(uuid, 'locked_reason', `reason of ${uuid}`);
    }
    const tagCell = await (await cellOf(tagged)).cell.db();
    await tagCell.getRepository(Tag).insert({ resource_id: tagged, tag: 'blue' });

    const read = async (records: ServerListQuery['records']) => {
      recordTables.length = 0;
      const query: ServerListQuery = {
        allTenants: true,
        sort: effectiveSortKeys([]),
        limit: 40,
        downCellMinimal: false,
        ...(records ? { records } : {}),
      };
      const servers = (await listing.list(adminContext(), query)).servers as ServerRecord[];
      const sum = (table: string) => recordTables.reduce((n, t) => n + (t[table] ?? 0), 0);
      return { byUuid: new Map(servers.map((s) => [s.uuid, s])), sum };
    };

    // Brief: ids and names only, nothing read from the record tables.
    const brief = await read('none');
    expect(brief.byUuid.size).toBe(40);
    expect(recordTables).toHaveLength(0);

    // Detail before 2.26: no tags; faults of the 3 ERROR servers, reasons of the 2 locked.
    const untagged = await read('untagged');
    expect(untagged.sum('instance_extra')).toBe(40);
    expect(untagged.sum('instance_metadata')).toBe(40);
    expect(untagged.sum('tags')).toBe(0);
    expect(untagged.sum('instance_faults')).toBe(3);
    expect(untagged.sum('instance_system_metadata')).toBe(2);
    for (const uuid of failed) {
      expect(untagged.byUuid.get(uuid)?.fault?.message).toBe(`fault of ${uuid}`);
    }
    for (const uuid of locked) {
      expect(untagged.byUuid.get(uuid)?.locked_reason).toBe(`reason of ${uuid}`);
    }
    expect(untagged.byUuid.get(newest[10])?.metadata['is']).toBe(newest[10]);

    // Every record (2.26+, and the default): the tags of all 40 as well.
    for (const records of ['all', undefined] as const) {
      const all = await read(records);
      expect(all.sum('tags')).toBe(40);
      expect(all.sum('instance_faults')).toBe(3);
      expect(all.byUuid.get(tagged)?.tags).toEqual(['blue']);
      expect(all.byUuid.get(failed[0])?.fault?.message).toBe(`fault of ${failed[0]}`);
    }
  });

  it("reads a page in the index's order, without sorting the cell's servers", async () => {
    await list(50, { deleted: false }); // as the API asks by default
    const page = lastPage;
    expect(page).toBeDefined();
    const plan = await page!.ds.query<Array<{ key: string | null; Extra: string | null }>>(
      `EXPLAIN ${page!.sql}`,
      page!.params,
    );
    expect(plan).toHaveLength(1);
    expect(plan[0].key).toBe('idx_instances_deleted_created_at_uuid');
    expect(plan[0].Extra ?? '').not.toMatch(/filesort/);
  });
});

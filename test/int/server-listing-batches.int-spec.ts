import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { CellRouter } from '@nova/cell-router';
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
      uuids.push(...(await seedInstances(ctx, PER_CELL)));
      // Every SELECT on the cell's instances, to count the batches read.
      (await ctx.cell.db()).logger = {
        logQuery: (sql: string) => {
          if (/^SELECT .* FROM `instances`/s.test(sql)) {
            queries.push(cell.name ?? cell.uuid);
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

  const list = async (limit: number) => {
    queries.length = 0;
    const query: ServerListQuery = {
      allTenants: true,
      sort: effectiveSortKeys([]),
      limit,
      downCellMinimal: false,
    };
    const servers = (await listing.list(adminContext(), query)).servers as ServerRecord[];
    // In the requested order (newest first, then uuid), whichever cell each came from.
    const compare = compareServers(query.sort);
    expect(servers.every((s, i) => i === 0 || compare(servers[i - 1], s) < 0)).toBe(true);
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
});

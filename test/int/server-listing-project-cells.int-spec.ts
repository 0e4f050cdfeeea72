import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { ApiDatabase, InstanceMappingRepository } from '@nova/api-db';
import { CacheModule } from '@nova/cache';
import { CellRouter, type Cell } from '@nova/cell-router';
import { ServerListing, ServersModule } from '@nova/cells/servers';
import { adminContext, type RequestContext } from '@nova/common';
import { ConfigModule } from '@nova/config';
import { effectiveSortKeys, type ServerListQuery } from '@nova/servers';
import { testConfig } from '../support/config';
import { TestDeployment } from '../support/deployment';
import { seedInstances } from '../support/seed';

/**
 * `[api] instance_list_per_project_cells`: a list confined to one project asks
 * only the cells its instance mappings name, and lists the same servers as a
 * list that asks every cell; a list of every project still asks every cell.
 */
describe('listing only a project’s cells (MariaDB)', () => {
  let d: TestDeployment;
  const apps: INestApplicationContext[] = [];
  /** Per cell name: the SELECTs on its instances since the last list. */
  const asked = new Map<string, number>();
  let perProject: ServerListing;
  let everyCell: ServerListing;
  /** Per project: its servers' uuids. */
  const seeded: Record<string, string[]> = { solo: [], spread: [], unscheduled: [] };
  let router: CellRouter;

  async function listingApp(perProjectCells: boolean): Promise<INestApplicationContext> {
    const sections = {
      ...d.sections,
      api: {
        ...d.sections['api'],
        instance_list_per_project_cells: String(perProjectCells),
      },
    };
    @Module({ imports: [ConfigModule.forRoot(testConfig(sections)), CacheModule, ServersModule] })
    class TestModule {}
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    apps.push(app);
    return app;
  }

  /** Counts every page read of a cell's instances, whichever app's pool reads it. */
  function countReads(cell: Cell, ds: DataSource): void {
    const name = cell.name ?? cell.uuid;
    ds.logger = {
      logQuery: (sql: string) => {
        if (/^SELECT .* FROM `instances`/s.test(sql)) {
          asked.set(name, (asked.get(name) ?? 0) + 1);
        }
      },
      logQueryError: () => undefined,
      logQuerySlow: () => undefined,
      logSchemaBuild: () => undefined,
      logMigration: () => undefined,
      log: () => undefined,
    };
  }

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', cells: ['cell1', 'cell2'] });
    const on = await listingApp(true);
    const off = await listingApp(false);
    perProject = on.get(ServerListing);
    everyCell = off.get(ServerListing);
    router = on.get(CellRouter);
    const mappings = on.get(InstanceMappingRepository);
    // "solo" lives in cell1 only, "spread" in both cells, "unscheduled" in cell0.
    const projectsOf: Record<string, string[]> = {
      cell0: ['unscheduled'],
      cell1: ['solo', 'spread'],
      cell2: ['spread'],
    };
    for (const cell of await router.cells()) {
      const ctx = router.targetCell(adminContext(), cell);
      for (const projectId of projectsOf[cell.name ?? ''] ?? []) {
        const uuids = await seedInstances(ctx, 3, { projectId });
        seeded[projectId].push(...uuids);
        await mappings.createMissing(
          uuids.map((u) => ({
            instance_uuid: u,
            cell_id: cell.id,
            project_id: projectId,
            user_id: 'user-a',
          })),
        );
      }
      for (const app of apps) {
        countReads(cell, await app.get(CellRouter).targetCell(adminContext(), cell).cell.db());
      }
    }
  });

  afterAll(async () => {
    for (const app of apps) {
      await app.close();
    }
    await d?.cleanup();
  });

  const member = (projectId: string): RequestContext =>
    adminContext({ projectId, userId: 'user-a', roles: ['member'], isAdmin: false });

  async function list(
    listing: ServerListing,
    ctx: RequestContext,
    extra: Partial<ServerListQuery> = {},
  ): Promise<string[]> {
    asked.clear();
    const page = await listing.list(ctx, {
      allTenants: false,
      sort: effectiveSortKeys([]),
      limit: 1000,
      downCellMinimal: false,
      ...extra,
    });
    return page.servers.map((s) => s.uuid);
  }

  it('asks only the cell a project lives in, and lists what every cell would', async () => {
    const listed = await list(perProject, member('solo'));
    expect([...asked.keys()]).toEqual(['cell1']);
    expect(new Set(listed)).toEqual(new Set(seeded['solo']));

    expect(await list(everyCell, member('solo'))).toEqual(listed);
    expect([...asked.keys()].sort()).toEqual(['cell0', 'cell1', 'cell2']);
  });

  it('asks each cell a project is spread over, not cell0 when none of its servers is there', async () => {
    const listed = await list(perProject, member('spread'));
    expect([...asked.keys()].sort()).toEqual(['cell1', 'cell2']);
    expect(new Set(listed)).toEqual(new Set(seeded['spread']));
    expect(await list(everyCell, member('spread'))).toEqual(listed);
  });

  it('asks cell0 for a project whose server could not be scheduled', async () => {
    const listed = await list(perProject, member('unscheduled'));
    expect([...asked.keys()]).toEqual(['cell0']);
    expect(new Set(listed)).toEqual(new Set(seeded['unscheduled']));
  });

  it('asks no cell for a project with no servers', async () => {
    expect(await list(perProject, member('nobody'))).toEqual([]);
    expect(asked.size).toBe(0);
  });

  it('confines all_tenants with a project_id filter, and asks every cell without one', async () => {
    const admin = adminContext();
    const solo = await list(perProject, admin, { allTenants: true, projectId: 'solo' });
    expect([...asked.keys()]).toEqual(['cell1']);
    expect(new Set(solo)).toEqual(new Set(seeded['solo']));

    const every = await list(perProject, admin, { allTenants: true });
    expect([...asked.keys()].sort()).toEqual(['cell0', 'cell1', 'cell2']);
    expect(new Set(every)).toEqual(new Set(Object.values(seeded).flat()));
  });

  it('reads the project’s cells from the (project_id, cell_id) index alone', async () => {
    const ds = await apps[0].get(ApiDatabase).get();
    const plan = await ds.query<Array<{ key: string | null; Extra: string }>>(
      'EXPLAIN SELECT DISTINCT cell_id FROM instance_mappings WHERE project_id = ? AND cell_id IS NOT NULL',
      ['spread'],
    );
    expect(plan[0].key).toBe('idx_instance_mappings_project_id_cell_id');
    expect(plan[0].Extra).toMatch(/Using index/);
  });
});

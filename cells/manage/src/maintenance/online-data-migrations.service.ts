import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CellMappingRepository } from '@nova/api-db';
import { CellRouter } from '@nova/cell-router';
import { populateInstanceComputeId } from '@nova/cells/db';
import { describeError } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { CellDatabases, type CellDatabase } from './cell-databases';

const log = getLogger('online-data-migrations');

/**
 * A data migration that runs while services run (Nova's online_migrations):
 * idempotent, at most `maxCount` records per call, returning how many records
 * it found needing it and how many it migrated.
 */
export interface OnlineMigration {
  readonly name: string;
  run(ds: DataSource, maxCount: number): Promise<{ found: number; done: number }>;
}

/** Cell database migrations, in the order they run. */
export const ONLINE_MIGRATIONS: readonly OnlineMigration[] = [
  { name: 'populate_instance_compute_id', run: populateInstanceComputeId },
];

export interface MigrationBatch {
  /** Per migration: [found, done] summed over the cell databases. */
  readonly results: Map<string, [number, number]>;
  /** Migrations that threw in some database. */
  readonly errors: string[];
}

/** `db online_data_migrations` over every mapped cell and `[database] connection`. */
@Injectable()
export class OnlineDataMigrationsService {
  constructor(
    private readonly router: CellRouter,
    private readonly cellMappings: CellMappingRepository,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /** The databases to migrate, opened as used and closed by `session.close()`. */
  async session(
    migrations: readonly OnlineMigration[] = ONLINE_MIGRATIONS,
  ): Promise<{ batch(maxCount: number): Promise<MigrationBatch>; close(): Promise<void> }> {
    const dbs = new CellDatabases(this.router, this.cellMappings, this.config);
    const targets = await dbs.everywhere();
    return {
      batch: (maxCount) => this.batch(dbs, targets, migrations, maxCount),
      close: () => dbs.close(),
    };
  }

  /**
   * One pass of every migration (Nova's _run_migration): each gets what is
   * left of `maxCount` after the ones before it, and the pass stops once
   * `maxCount` records were migrated.
   */
  private async batch(
    dbs: CellDatabases,
    targets: readonly CellDatabase[],
    migrations: readonly OnlineMigration[],
    maxCount: number,
  ): Promise<MigrationBatch> {
    const results = new Map<string, [number, number]>();
    const errors: string[] = [];
    let ran = 0;
    for (const migration of migrations) {
      let found = 0;
      let done = 0;
      for (const target of targets) {
        const left = maxCount - ran - done;
        if (left <= 0) {
          break;
        }
        try {
          const result = await migration.run(await dbs.dataSource(target), left);
          found += result.found;
          done += result.done;
        } catch (err) {
          log.error(
            { migration: migration.name, db: target.label, err: describeError(err) },
            'online data migration failed',
          );
          if (!errors.includes(migration.name)) {
            errors.push(migration.name);
          }
        }
      }
      results.set(migration.name, [found, done]);
      ran += done;
      if (ran >= maxCount) {
        break;
      }
    }
    return { results, errors };
  }
}

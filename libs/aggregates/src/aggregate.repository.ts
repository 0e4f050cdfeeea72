import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { Aggregate, AggregateHost, AggregateMetadata, ApiDatabase } from '@nova/api-db';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import { isDuplicateKeyError, writeTransaction } from '@nova/database';
import { AggregateNameExists } from './aggregate-errors';
import { AZ_KEY, type AggregateRecord, type ZonedAggregate } from './availability-zones';

export interface NewAggregate {
  readonly uuid: string;
  readonly name: string;
  readonly metadata: Record<string, string>;
  readonly createdAt: Date;
}

export interface AggregateChanges {
  readonly name?: string;
  /** Keys to set; null deletes the key (a missing key is no error). */
  readonly metadata?: Record<string, string | null>;
  readonly updatedAt: Date;
}

/**
 * Pub/sub channel on which every change of an aggregate is announced: the
 * schedulers keep the aggregate list in memory and re-read it then.
 */
export const AGGREGATES_CHANGED_CHANNEL = 'scheduler:aggregates-changed';

/**
 * Aggregates, their hosts and metadata in the API database. Timestamps read back
 * are cut to whole seconds, as Nova's DATETIME columns keep them. Every change
 * is announced on AGGREGATES_CHANGED_CHANNEL.
 */
@Injectable()
export class AggregateRepository {
  constructor(
    private readonly db: ApiDatabase,
    @Optional() @Inject(CACHE_BACKEND) private readonly cache?: CacheBackend,
  ) {}

  /** Tell the schedulers; a lost message only delays them until their safety re-read. */
  private async announce(): Promise<void> {
    await this.cache
      ?.publish(AGGREGATES_CHANGED_CHANNEL, String(Date.now()))
      .catch(() => undefined);
  }

  /** Every aggregate, from the primary (the schedulers act on these). */
  async list(): Promise<AggregateRecord[]> {
    return this.listFrom(await this.db.get());
  }

  /** Every aggregate for display (GET /os-aggregates): the read replica when there is one (it may lag). */
  listForDisplay(): Promise<AggregateRecord[]> {
    return this.db.read((ds) => this.listFrom(ds));
  }

  private async listFrom(ds: DataSource): Promise<AggregateRecord[]> {
    const rows = await ds.getRepository(Aggregate).find({ order: { id: 'ASC' } });
    return this.withDetails(rows, ds);
  }

  async findById(id: number): Promise<AggregateRecord | null> {
    const row = await (await this.db.get()).getRepository(Aggregate).findOneBy({ id });
    return row ? ((await this.withDetails([row]))[0] ?? null) : null;
  }

  /** Whether another aggregate has this name (compared as the database collates). */
  async nameTaken(name: string, exceptId?: number): Promise<boolean> {
    const qb = (await this.db.get())
      .getRepository(Aggregate)
      .createQueryBuilder('a')
      .where('a.name = :name', { name });
    if (exceptId !== undefined) {
      qb.andWhere('a.id <> :id', { id: exceptId });
    }
    return (await qb.getCount()) > 0;
  }

  /** Insert the aggregate and its metadata; returns its id. A name taken meanwhile is a 409. */
  async create(fields: NewAggregate): Promise<number> {
    const ds = await this.db.get();
    try {
      const id = await writeTransaction(ds, async (tx) => {
        const inserted = await tx.getRepository(Aggregate).insert({
          uuid: fields.uuid,
          name: fields.name,
          created_at: fields.createdAt,
          updated_at: null,
        });
        const id = Number(inserted.identifiers[0]?.['id']);
        await this.setMetadata(tx, id, fields.metadata, fields.createdAt);
        return id;
      });
      await this.announce();
      return id;
    } catch (err) {
      throw isDuplicateKeyError(err) ? new AggregateNameExists(fields.name) : err;
    }
  }

  /** Rename and/or change metadata in one transaction. */
  async update(id: number, changes: AggregateChanges): Promise<void> {
    const ds = await this.db.get();
    const { name } = changes;
    try {
      await writeTransaction(ds, async (tx) => {
        await tx
          .getRepository(Aggregate)
          .update(
            { id },
            { ...(name !== undefined ? { name } : {}), updated_at: changes.updatedAt },
          );
        await this.setMetadata(tx, id, changes.metadata ?? {}, changes.updatedAt);
      });
      await this.announce();
    } catch (err) {
      throw isDuplicateKeyError(err) && name !== undefined ? new AggregateNameExists(name) : err;
    }
  }

  /** Delete an aggregate that has no hosts; false when it has some (or is gone). */
  async deleteIfEmpty(id: number): Promise<boolean> {
    const deleted = await writeTransaction(await this.db.get(), async (tx) => {
      const result = await tx
        .createQueryBuilder()
        .delete()
        .from(Aggregate)
        .where('id = :id', { id })
        .andWhere('NOT EXISTS (SELECT 1 FROM aggregate_hosts h WHERE h.aggregate_id = :id)')
        .execute();
      if ((result.affected ?? 0) === 0) {
        return false;
      }
      // The foreign key cascades on MariaDB; SQLite may not enforce it.
      await tx.getRepository(AggregateMetadata).delete({ aggregate_id: id });
      return true;
    });
    if (deleted) {
      await this.announce();
    }
    return deleted;
  }

  /** False when the host was in the aggregate already. */
  async addHost(id: number, host: string): Promise<boolean> {
    try {
      await (
        await this.db.get()
      )
        .getRepository(AggregateHost)
        .insert({ aggregate_id: id, host, created_at: new Date(), updated_at: null });
      await this.announce();
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        return false;
      }
      throw err;
    }
  }

  /** False when the host was not in the aggregate. */
  async removeHost(id: number, host: string): Promise<boolean> {
    const result = await (
      await this.db.get()
    )
      .getRepository(AggregateHost)
      .delete({ aggregate_id: id, host });
    if ((result.affected ?? 0) > 0) {
      await this.announce();
      return true;
    }
    return false;
  }

  /** Zone-defining aggregates holding any of `hosts`, by aggregate id. */
  async zonedAggregatesOf(hosts: readonly string[]): Promise<ZonedAggregate[]> {
    if (hosts.length === 0) {
      return [];
    }
    const rows = await (
      await this.db.get()
    )
      .getRepository(AggregateMetadata)
      .createQueryBuilder('m')
      .select('m.aggregate_id', 'aggregateId')
      .addSelect('m.value', 'zone')
      .where('m.key = :key', { key: AZ_KEY })
      .andWhere(
        'm.aggregate_id IN (SELECT h.aggregate_id FROM aggregate_hosts h WHERE h.host IN (:...hosts))',
        { hosts },
      )
      .orderBy('m.aggregate_id', 'ASC')
      .getRawMany<{ aggregateId: number | string; zone: string }>();
    return rows.map((r) => ({ aggregateId: Number(r.aggregateId), zone: r.zone }));
  }

  /** Every host of a zone-defining aggregate with that zone (one row per aggregate). */
  async zonedHosts(host?: string): Promise<Array<{ host: string; zone: string }>> {
    const qb = (await this.db.get())
      .getRepository(AggregateHost)
      .createQueryBuilder('h')
      .innerJoin(AggregateMetadata, 'm', 'm.aggregate_id = h.aggregate_id AND m.key = :key', {
        key: AZ_KEY,
      })
      .select('h.host', 'host')
      .addSelect('m.value', 'zone')
      .orderBy('h.host', 'ASC');
    if (host !== undefined) {
      qb.where('h.host = :host', { host });
    }
    return qb.getRawMany<{ host: string; zone: string }>();
  }

  private async setMetadata(
    tx: EntityManager,
    id: number,
    metadata: Record<string, string | null>,
    now: Date,
  ): Promise<void> {
    const repo = tx.getRepository(AggregateMetadata);
    for (const [key, value] of Object.entries(metadata)) {
      if (value === null) {
        await repo.delete({ aggregate_id: id, key });
        continue;
      }
      const updated = await repo.update({ aggregate_id: id, key }, { value, updated_at: now });
      if ((updated.affected ?? 0) === 0) {
        await repo.insert({ aggregate_id: id, key, value, created_at: now, updated_at: null });
      }
    }
  }

  private async withDetails(rows: Aggregate[], from?: DataSource): Promise<AggregateRecord[]> {
    if (rows.length === 0) {
      return [];
    }
    const ds = from ?? (await this.db.get());
    const ids = rows.map((r) => r.id);
    const [hosts, metadata] = await Promise.all([
      ds
        .getRepository(AggregateHost)
        .createQueryBuilder('h')
        .where('h.aggregate_id IN (:...ids)', { ids })
        .orderBy('h.id', 'ASC')
        .getMany(),
      ds
        .getRepository(AggregateMetadata)
        .createQueryBuilder('m')
        .where('m.aggregate_id IN (:...ids)', { ids })
        .orderBy('m.id', 'ASC')
        .getMany(),
    ]);
    return rows.map((row) => ({
      id: row.id,
      uuid: row.uuid,
      name: row.name,
      createdAt: wholeSeconds(row.created_at),
      updatedAt: wholeSeconds(row.updated_at),
      hosts: hosts.filter((h) => h.aggregate_id === row.id).map((h) => h.host),
      metadata: Object.fromEntries(
        metadata.filter((m) => m.aggregate_id === row.id).map((m) => [m.key, m.value]),
      ),
    }));
  }
}

function wholeSeconds(date: Date | null): Date | null {
  return date ? new Date(Math.floor(date.getTime() / 1000) * 1000) : null;
}

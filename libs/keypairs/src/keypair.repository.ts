import { Injectable } from '@nestjs/common';
import { ApiDatabase, KeyPair } from '@nova/api-db';
import { isDuplicateKeyError, retryOnDeadlock } from '@nova/database';
import type { DataSource } from 'typeorm';
import { KeyPairExists, KeypairMarkerNotFound } from './keypair-errors';

export interface KeypairPage {
  /** Absent: every keypair (before 2.35 lists are not paged). */
  readonly limit?: number;
  /** Name of the last keypair of the previous page. */
  readonly marker?: string;
}

export type NewKeypairRow = Pick<
  KeyPair,
  'name' | 'user_id' | 'type' | 'public_key' | 'fingerprint'
>;

/** The API database's key_pairs table: names are unique per user, lists sort by name. */
@Injectable()
export class KeypairRepository {
  constructor(private readonly db: ApiDatabase) {}

  /** A user's keypairs by name, from the read replica when there is one (it may lag). */
  list(userId: string, page: KeypairPage = {}): Promise<KeyPair[]> {
    return this.db.read((ds) => this.page(ds, userId, page));
  }

  private async page(ds: DataSource, userId: string, page: KeypairPage): Promise<KeyPair[]> {
    const qb = ds
      .getRepository(KeyPair)
      .createQueryBuilder('k')
      .where('k.user_id = :userId', { userId });
    if (page.marker !== undefined) {
      const marker = await ds
        .getRepository(KeyPair)
        .findOneBy({ user_id: userId, name: page.marker });
      if (!marker) {
        throw new KeypairMarkerNotFound(page.marker);
      }
      qb.andWhere('k.name > :marker', { marker: marker.name });
    }
    qb.orderBy('k.name', 'ASC').addOrderBy('k.id', 'ASC');
    if (page.limit !== undefined) {
      qb.take(page.limit);
    }
    return qb.getMany();
  }

  async find(userId: string, name: string): Promise<KeyPair | null> {
    return (await this.db.get()).getRepository(KeyPair).findOneBy({ user_id: userId, name });
  }

  /**
   * Insert, unless the user already has `limit` keypairs (-1: no limit); null
   * when over the limit. The count and the insert are one statement, so
   * concurrent creates cannot pass the limit together (InnoDB locks the counted
   * range; a deadlock victim runs again). The unique (user_id, name) index
   * turns a concurrent duplicate into KeyPairExists.
   */
  async create(row: NewKeypairRow, limit = -1): Promise<KeyPair | null> {
    const ds = await this.db.get();
    const now = new Date();
    const columns = ['name', 'user_id', 'type', 'public_key', 'fingerprint', 'created_at'];
    const values = [row.name, row.user_id, row.type, row.public_key, row.fingerprint, now].map(
      (value, i) => persistable(ds, columns[i], value),
    );
    const placeholders = columns.map(() => '?').join(', ');
    const sql =
      limit < 0
        ? `INSERT INTO key_pairs (${columns.join(', ')}) VALUES (${placeholders})`
        : `INSERT INTO key_pairs (${columns.join(', ')}) SELECT ${placeholders}${fromNothing(ds)} ` +
          'WHERE (SELECT COUNT(*) FROM key_pairs WHERE user_id = ?) < ?';
    const params = limit < 0 ? values : [...values, row.user_id, limit];
    try {
      const result = await retryOnDeadlock(async () => {
        const runner = ds.createQueryRunner();
        try {
          return await runner.query(sql, params, true);
        } finally {
          await runner.release();
        }
      });
      if (result.affected === 0) {
        return null;
      }
      return Object.assign(new KeyPair(), row, {
        id: insertId(result.raw),
        created_at: now,
        updated_at: null,
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new KeyPairExists(row.name);
      }
      throw err;
    }
  }

  /** Returns false when the user has no such keypair. */
  async delete(userId: string, name: string): Promise<boolean> {
    const result = await (
      await this.db.get()
    )
      .getRepository(KeyPair)
      .delete({ user_id: userId, name });
    return (result.affected ?? 0) > 0;
  }
}

/** The new row's id from the driver's raw insert result (mysql2: insertId; better-sqlite3: lastInsertRowid). */
function insertId(raw: unknown): number | undefined {
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    return Number(raw);
  }
  const r = raw as { insertId?: number; lastInsertRowid?: number | bigint } | undefined;
  const id = r?.insertId ?? r?.lastInsertRowid;
  return id === undefined ? undefined : Number(id);
}

/** A value as the driver stores it in that key_pairs column (dates differ between MySQL and SQLite). */
function persistable(ds: DataSource, property: string, value: unknown): unknown {
  const column = ds.getMetadata(KeyPair).findColumnWithPropertyName(property);
  return column ? ds.driver.preparePersistentValue(value, column) : value;
}

/** MySQL needs a table for SELECT ... WHERE; SQLite has no DUAL. */
function fromNothing(ds: DataSource): string {
  return ds.options.type === 'mysql' || ds.options.type === 'mariadb' ? ' FROM DUAL' : '';
}

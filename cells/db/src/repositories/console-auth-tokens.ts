import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { sqlTimestamp } from '@nova/database';

/** A console authorization as stored (Nova's ConsoleAuthToken, without the token itself). */
export interface ConsoleAuthRecord {
  readonly console_type: string;
  readonly host: string;
  readonly port: number;
  readonly internal_access_path: string | null;
  readonly instance_uuid: string;
  readonly access_url_base: string | null;
  /** Unix seconds after which it is refused. */
  readonly expires: number;
}

/** Only the SHA-256 of a token is stored, as Nova does: the database never holds a usable token. */
export function consoleTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const COLUMNS =
  'id, console_type, host, port, internal_access_path, instance_uuid, access_url_base, expires';

/** The console_auth_tokens of one cell. */
export class ConsoleAuthTokens {
  constructor(private readonly ds: DataSource) {}

  /** Store the authorization of `token`; expired tokens of the cell are cleaned on the way. */
  async create(token: string, record: ConsoleAuthRecord): Promise<void> {
    await this.purgeExpired();
    const now = sqlTimestamp(this.ds);
    await this.ds.query(
      `INSERT INTO console_auth_tokens (token_hash, console_type, host, port, internal_access_path, instance_uuid, access_url_base, expires, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        consoleTokenHash(token),
        record.console_type,
        record.host,
        record.port,
        record.internal_access_path,
        record.instance_uuid,
        record.access_url_base,
        record.expires,
        now,
        now,
      ],
    );
  }

  /** The unexpired authorization of `token` (os-console-auth-tokens), or null. */
  async findValid(token: string): Promise<ConsoleAuthRecord | null> {
    const row = await this.row(token);
    return row ? toRecord(row) : null;
  }

  /**
   * Use a token up: its unexpired authorization, deleted in the same breath so
   * that of two connections racing with one token only one gets it.
   */
  async consume(token: string): Promise<ConsoleAuthRecord | null> {
    const row = await this.row(token);
    if (!row) {
      return null;
    }
    const deleted = await this.ds
      .createQueryBuilder()
      .delete()
      .from('console_auth_tokens')
      .where('id = :id', { id: row['id'] })
      .execute();
    return deleted.affected === 1 ? toRecord(row) : null;
  }

  /** A deleted instance's tokens go with it. */
  async deleteForInstance(instanceUuid: string): Promise<void> {
    await this.ds.query('DELETE FROM console_auth_tokens WHERE instance_uuid = ?', [instanceUuid]);
  }

  async purgeExpired(): Promise<void> {
    await this.ds.query('DELETE FROM console_auth_tokens WHERE expires <= ?', [nowSeconds()]);
  }

  private async row(token: string): Promise<Record<string, unknown> | null> {
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS} FROM console_auth_tokens WHERE token_hash = ? AND expires > ?`,
      [consoleTokenHash(token), nowSeconds()],
    );
    return rows[0] ?? null;
  }
}

function toRecord(row: Record<string, unknown>): ConsoleAuthRecord {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    console_type: String(row['console_type']),
    host: String(row['host']),
    port: Number(row['port']),
    internal_access_path: text(row['internal_access_path']),
    instance_uuid: String(row['instance_uuid']),
    access_url_base: text(row['access_url_base']),
    expires: Number(row['expires']),
  };
}

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiDatabase, InstanceMapping } from '@nova/api-db';
import type {
  BuildInstanceFields,
  WireFlavor,
  WireImage,
  WireRequestSpec,
  WireVif,
} from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { flatNetwork } from '@nova/network';
import {
  batchedTransaction,
  insertStatement,
  isDuplicateKeyError,
  retryOnDeadlock,
  sqlTimestamp,
  type Statement,
  writeTransaction,
} from '@nova/database';
import { Invalid } from '@nova/common';

/** Rows per multi-row insert (well under any placeholder limit). */
const CHUNK = 100;

/** One instance of a POST /servers, before any cell has it. */
export interface PendingBuild {
  readonly fields: BuildInstanceFields;
  readonly spec: WireRequestSpec;
}

/**
 * The API database's records of servers not yet in a cell (build requests,
 * request specs, mappings without a cell) and the flat network's addresses,
 * which are global because one network spans every cell.
 */
@Injectable()
export class BuildRequests {
  constructor(
    private readonly db: ApiDatabase,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /** Build request, request spec and a cell-less mapping for every instance, all or nothing. */
  async create(builds: readonly PendingBuild[]): Promise<void> {
    const ds = await this.db.get();
    const now = sqlTimestamp(ds);
    const statements: Statement[] = [];
    // Multi-row inserts: one POST with max_count=100 is three statements per chunk, not 300.
    for (let i = 0; i < builds.length; i += CHUNK) {
      const chunk = builds.slice(i, i + CHUNK);
      const rows = (n: number) => chunk.map(() => `(${Array(n).fill('?').join(', ')})`).join(', ');
      statements.push(
        {
          sql: `INSERT INTO build_requests (project_id, user_id, instance_uuid, instance, tags, created_at) VALUES ${rows(6)}`,
          params: chunk.flatMap(({ fields }) => [
            fields.project_id,
            fields.user_id,
            fields.uuid,
            JSON.stringify(fields),
            JSON.stringify(fields.tags),
            now,
          ]),
        },
        {
          sql: `INSERT INTO request_specs (instance_uuid, spec, created_at) VALUES ${rows(3)}`,
          params: chunk.flatMap(({ fields, spec }) => [fields.uuid, JSON.stringify(spec), now]),
        },
        insertStatement(
          ds,
          InstanceMapping,
          chunk.map(({ fields }) => ({
            instance_uuid: fields.uuid,
            cell_id: null,
            project_id: fields.project_id,
            user_id: fields.user_id,
            queued_for_delete: false,
            created_at: new Date(),
          })),
        ),
      );
    }
    // All of them in one transaction, sent as one batch.
    await retryOnDeadlock(() =>
      batchedTransaction(ds, (tx) => tx.send(statements, { commit: true })),
    );
  }

  async get(uuid: string): Promise<BuildInstanceFields | null> {
    const ds = await this.db.get();
    const rows = await ds.query<Array<{ instance: string }>>(
      'SELECT instance FROM build_requests WHERE instance_uuid = ?',
      [uuid],
    );
    return rows[0] ? (JSON.parse(rows[0].instance) as BuildInstanceFields) : null;
  }

  /** Servers still waiting for a cell (listed with the others, as Nova does). */
  async list(projectId?: string): Promise<BuildInstanceFields[]> {
    const ds = await this.db.get();
    const rows =
      projectId === undefined
        ? await ds.query<Array<{ instance: string }>>('SELECT instance FROM build_requests')
        : await ds.query<Array<{ instance: string }>>(
            'SELECT instance FROM build_requests WHERE project_id = ?',
            [projectId],
          );
    return rows.map((r) => JSON.parse(r.instance) as BuildInstanceFields);
  }

  /** Remove the build request; false when it was already gone (built, or deleted by someone else). */
  /**
   * A scheduled build handed over to its cell: the mapping points at the cell
   * and the build request goes, in one transaction (one round trip on
   * MySQL). False when the build request was already gone: the user deleted
   * the server meanwhile (the mapping points at the cell all the same, so
   * the delete that follows finds it there).
   */
  async handOver(uuid: string, cellId: number): Promise<boolean> {
    const ds = await this.db.get();
    const [, deleted] = await retryOnDeadlock(() =>
      batchedTransaction(ds, (tx) =>
        tx.send(
          [
            {
              sql: 'UPDATE instance_mappings SET cell_id = ?, updated_at = ? WHERE instance_uuid = ?',
              params: [cellId, sqlTimestamp(ds), uuid],
            },
            { sql: 'DELETE FROM build_requests WHERE instance_uuid = ?', params: [uuid] },
          ],
          { commit: true },
        ),
      ),
    );
    return deleted.affected > 0;
  }

  async delete(uuid: string): Promise<boolean> {
    const result = await (
      await this.db.get()
    )
      .createQueryBuilder()
      .delete()
      .from('build_requests')
      .where('instance_uuid = :uuid', { uuid })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async spec(uuid: string): Promise<WireRequestSpec | null> {
    const ds = await this.db.get();
    const rows = await ds.query<Array<{ spec: string }>>(
      'SELECT spec FROM request_specs WHERE instance_uuid = ?',
      [uuid],
    );
    return rows[0] ? (JSON.parse(rows[0].spec) as WireRequestSpec) : null;
  }

  /** A rebuild's new image becomes the server's request spec image (later moves use it). */
  async setSpecImage(uuid: string, image: WireImage): Promise<void> {
    await this.updateSpec(uuid, { image });
  }

  /** Change fields of the server's request spec (an unshelve's zone). */
  async updateSpec(uuid: string, changes: Partial<WireRequestSpec>): Promise<void> {
    const spec = await this.spec(uuid);
    if (!spec) {
      return;
    }
    await (
      await this.db.get()
    ).query('UPDATE request_specs SET spec = ? WHERE instance_uuid = ?', [
      JSON.stringify({ ...spec, ...changes }),
      uuid,
    ]);
  }

  /** A confirmed resize's flavor becomes the server's request spec flavor (later checks use it). */
  async setSpecFlavor(uuid: string, flavor: WireFlavor): Promise<void> {
    const spec = await this.spec(uuid);
    if (!spec || spec.flavor.id === flavor.id) {
      return;
    }
    await this.updateSpec(uuid, { flavor });
  }

  /**
   * One address of the flat network for the instance (random free address,
   * retried on collision), with the network's facts the guest configures its
   * NIC from (network_data.json).
   */
  async allocateAddress(uuid: string): Promise<WireVif> {
    const { name, cidr } = this.config.flat_network;
    const [base, size] = parseCidr(cidr);
    const network = flatNetwork(name, cidr);
    const ds = await this.db.get();
    for (let attempt = 0; attempt < 64; attempt++) {
      // Skip the network address, the gateway (.1) and the broadcast address.
      const address = toIp(base + 2 + randomInt(size - 3));
      const mac = `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
      try {
        await ds.query(
          'INSERT INTO fixed_ips (network, address, mac, instance_uuid, created_at) VALUES (?, ?, ?, ?, ?)',
          [name, address, mac, uuid, sqlTimestamp(ds)],
        );
        return {
          network: name,
          address,
          mac,
          id: randomUUID(),
          network_id: network.id,
          cidr: `${toIp(base)}/${cidr.split('/')[1]}`,
          gateway: network.gateway,
        };
      } catch (err) {
        if (!isDuplicateKeyError(err)) {
          throw err;
        }
      }
    }
    throw new Invalid(`No free address left in ${cidr}`);
  }

  async releaseAddresses(uuid: string): Promise<void> {
    await (await this.db.get()).query('DELETE FROM fixed_ips WHERE instance_uuid = ?', [uuid]);
  }

  /** Take the instance out of every server group (it no longer counts as a member). */
  async leaveGroups(uuid: string): Promise<void> {
    await (
      await this.db.get()
    ).query('DELETE FROM instance_group_member WHERE instance_uuid = ?', [uuid]);
  }

  /**
   * A deleted instance's global records: its addresses, request spec and
   * server-group memberships (which count against server_group_members).
   */
  async releaseGlobalRecords(uuid: string): Promise<void> {
    const ds = await this.db.get();
    await writeTransaction(ds, async (tx) => {
      await tx.query('DELETE FROM fixed_ips WHERE instance_uuid = ?', [uuid]);
      await tx.query('DELETE FROM request_specs WHERE instance_uuid = ?', [uuid]);
      await tx.query('DELETE FROM instance_group_member WHERE instance_uuid = ?', [uuid]);
    });
  }
}

function parseCidr(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  const parts = (ip ?? '').split('.').map(Number);
  if (
    parts.length !== 4 ||
    parts.some((p) => !(p >= 0 && p <= 255)) ||
    !(prefix >= 8 && prefix <= 30)
  ) {
    throw new Invalid(`[flat_network] cidr is not an IPv4 CIDR: ${cidr}`);
  }
  const base = parts.reduce((acc, p) => acc * 256 + p, 0);
  const size = 2 ** (32 - prefix);
  return [base - (base % size), size];
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

import { Injectable } from '@nestjs/common';
import { Conflict } from '@nova/common';
import { isDuplicateKeyError } from '@nova/database';
import { ApiDatabase } from '../api-database';
import { INSTANCE_MIGRATION_MARKER, InstanceMapping } from '../entities';

export interface NewInstanceMapping {
  instance_uuid: string;
  cell_id: number | null;
  project_id: string;
  user_id: string | null;
  queued_for_delete?: boolean;
}

/**
 * Rows of the instance index. Callers that serve requests go through the cell
 * router's InstanceMappings, which keeps the Redis copy in step with these writes.
 */
@Injectable()
export class InstanceMappingRepository {
  constructor(private readonly db: ApiDatabase) {}

  private async repo() {
    return (await this.db.get()).getRepository(InstanceMapping);
  }

  async findByInstanceUuid(instanceUuid: string): Promise<InstanceMapping | null> {
    // One joined SELECT: findOne() with a relation sends a DISTINCT id query first.
    return (await this.repo())
      .createQueryBuilder('m')
      .leftJoinAndSelect('m.cell', 'cell')
      .where('m.instance_uuid = :instanceUuid', { instanceUuid })
      .getOne();
  }

  async create(fields: NewInstanceMapping): Promise<InstanceMapping> {
    const repo = await this.repo();
    try {
      return await repo.save(repo.create({ queued_for_delete: false, ...fields }));
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new Conflict(`Instance ${fields.instance_uuid} is already mapped`, {
          uuid: fields.instance_uuid,
        });
      }
      throw err;
    }
  }

  /** Insert the mappings that do not exist yet; existing ones are left alone. Returns how many were new. */
  async createMissing(rows: NewInstanceMapping[]): Promise<number> {
    if (rows.length === 0) {
      return 0;
    }
    const repo = await this.repo();
    const existing = await repo
      .createQueryBuilder('m')
      .select('m.instance_uuid', 'uuid')
      .where('m.instance_uuid IN (:...uuids)', { uuids: rows.map((r) => r.instance_uuid) })
      .getRawMany<{ uuid: string }>();
    const known = new Set(existing.map((e) => e.uuid));
    let created = 0;
    for (const row of rows.filter((r) => !known.has(r.instance_uuid))) {
      try {
        await repo.insert({ queued_for_delete: false, created_at: new Date(), ...row });
        created++;
      } catch (err) {
        if (!isDuplicateKeyError(err)) {
          throw err;
        }
      }
    }
    return created;
  }

  async update(
    instanceUuid: string,
    fields: Partial<Pick<InstanceMapping, 'cell_id' | 'queued_for_delete' | 'user_id'>>,
  ): Promise<void> {
    await (
      await this.repo()
    ).update({ instance_uuid: instanceUuid }, { ...fields, updated_at: new Date() });
  }

  async delete(instanceUuid: string): Promise<void> {
    await (await this.repo()).delete({ instance_uuid: instanceUuid });
  }

  async countByCell(cellId: number): Promise<number> {
    return (await this.repo()).countBy({ cell_id: cellId });
  }

  async deleteByCell(cellId: number): Promise<void> {
    await (await this.repo()).delete({ cell_id: cellId });
  }

  /** The `map_instances` progress marker, if a previous run left one. */
  async findMigrationMarker(): Promise<InstanceMapping | null> {
    return (await this.repo()).findOneBy({ project_id: INSTANCE_MIGRATION_MARKER });
  }
}

import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CellMappingNotFound, Conflict } from '@nova/common';
import { isDuplicateKeyError } from '@nova/database';
import { ApiDatabase } from '../api-database';
import { CellMapping } from '../entities';

export interface NewCellMapping {
  uuid?: string;
  name: string | null;
  transport_url: string;
  database_connection: string;
  disabled?: boolean;
}

@Injectable()
export class CellMappingRepository {
  constructor(private readonly db: ApiDatabase) {}

  private async repo() {
    return (await this.db.get()).getRepository(CellMapping);
  }

  /** Every cell mapping, oldest first (Nova's order for discovery and sync). */
  async list(): Promise<CellMapping[]> {
    return (await this.repo()).find({ order: { id: 'ASC' } });
  }

  async findByUuid(uuid: string): Promise<CellMapping | null> {
    return (await this.repo()).findOneBy({ uuid });
  }

  async getByUuid(uuid: string): Promise<CellMapping> {
    const mapping = await this.findByUuid(uuid);
    if (!mapping) {
      throw new CellMappingNotFound(uuid);
    }
    return mapping;
  }

  async create(fields: NewCellMapping): Promise<CellMapping> {
    const repo = await this.repo();
    const mapping = repo.create({ disabled: false, ...fields, uuid: fields.uuid ?? randomUUID() });
    try {
      return await repo.save(mapping);
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new Conflict(`Cell mapping ${mapping.uuid} already exists`, { uuid: mapping.uuid });
      }
      throw err;
    }
  }

  async save(mapping: CellMapping): Promise<CellMapping> {
    return (await this.repo()).save(mapping);
  }

  async delete(mapping: CellMapping): Promise<void> {
    await (await this.repo()).delete({ id: mapping.id });
  }
}

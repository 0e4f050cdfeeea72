import { Injectable } from '@nestjs/common';
import { Conflict } from '@nova/common';
import { isDuplicateKeyError } from '@nova/database';
import { ApiDatabase } from '../api-database';
import { HostMapping } from '../entities';

export class HostMappingExists extends Conflict {
  constructor(host: string) {
    super(`Host '${host}' mapping already exists`, { host });
  }
}

@Injectable()
export class HostMappingRepository {
  constructor(private readonly db: ApiDatabase) {}

  private async repo() {
    return (await this.db.get()).getRepository(HostMapping);
  }

  async findByHost(host: string): Promise<HostMapping | null> {
    return (await this.repo()).findOneBy({ host });
  }

  /** Host mappings of one cell, or of every cell; sorted by host name. */
  async list(cellId?: number): Promise<HostMapping[]> {
    return (await this.repo()).find({
      where: cellId === undefined ? {} : { cell_id: cellId },
      order: { host: 'ASC' },
    });
  }

  async countByCell(cellId: number): Promise<number> {
    return (await this.repo()).countBy({ cell_id: cellId });
  }

  /** Map a host to a cell; a host mapped already (even by a racing process) is a conflict. */
  async create(host: string, cellId: number): Promise<HostMapping> {
    const repo = await this.repo();
    try {
      return await repo.save(repo.create({ host, cell_id: cellId }));
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new HostMappingExists(host);
      }
      throw err;
    }
  }

  async delete(mapping: HostMapping): Promise<void> {
    await (await this.repo()).delete({ id: mapping.id });
  }

  async deleteByCell(cellId: number): Promise<void> {
    await (await this.repo()).delete({ cell_id: cellId });
  }
}

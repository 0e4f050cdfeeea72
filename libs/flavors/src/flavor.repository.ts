import { Injectable } from '@nestjs/common';
import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import { ApiDatabase, Flavor, FlavorExtraSpec, FlavorProject } from '@nova/api-db';
import { Invalid } from '@nova/common';
import { isDuplicateKeyError, writeTransaction } from '@nova/database';

export const FLAVOR_SORT_KEYS = [
  'created_at',
  'description',
  'disabled',
  'ephemeral_gb',
  'flavorid',
  'id',
  'is_public',
  'memory_mb',
  'name',
  'root_gb',
  'rxtx_factor',
  'swap',
  'updated_at',
  'vcpu_weight',
  'vcpus',
] as const;
export type FlavorSortKey = (typeof FLAVOR_SORT_KEYS)[number];

export interface FlavorFilters {
  /** true: public (plus private ones `projectId` may use); false: private only; null: all. */
  isPublic: boolean | null;
  /** The project whose private flavors count as visible (non-admin callers). */
  projectId?: string;
  includeDisabled: boolean;
  minMemoryMb?: number;
  minRootGb?: number;
  name?: string;
}

export interface FlavorQuery {
  filters: FlavorFilters;
  sortKey: FlavorSortKey;
  sortDir: 'asc' | 'desc';
  limit: number;
  /** flavorid of the last flavor of the previous page. */
  marker?: string;
}

/** A flavor with its extra specs loaded. */
export type FlavorWithSpecs = Flavor & { specs: Record<string, string> };

@Injectable()
export class FlavorRepository {
  constructor(private readonly db: ApiDatabase) {}

  /** A page of flavors, from the read replica when there is one (it may lag). */
  list(query: FlavorQuery): Promise<FlavorWithSpecs[]> {
    return this.db.read((ds) => this.page(ds, query));
  }

  private async page(ds: DataSource, query: FlavorQuery): Promise<FlavorWithSpecs[]> {
    const qb = ds.getRepository(Flavor).createQueryBuilder('f');
    const { filters } = query;
    if (!filters.includeDisabled) {
      qb.andWhere('f.disabled = :disabled', { disabled: false });
    }
    if (filters.minMemoryMb !== undefined) {
      qb.andWhere('f.memory_mb >= :ram', { ram: filters.minMemoryMb });
    }
    if (filters.minRootGb !== undefined) {
      qb.andWhere('f.root_gb >= :disk', { disk: filters.minRootGb });
    }
    if (filters.name !== undefined) {
      qb.andWhere('f.name = :name', { name: filters.name });
    }
    if (filters.isPublic === true) {
      qb.andWhere(
        new Brackets((w) => {
          w.where('f.is_public = :pub', { pub: true });
          if (filters.projectId !== undefined) {
            w.orWhere(
              'f.id IN (SELECT fp.flavor_id FROM flavor_projects fp WHERE fp.project_id = :project)',
              { project: filters.projectId },
            );
          }
        }),
      );
    } else if (filters.isPublic === false) {
      qb.andWhere('f.is_public = :pub', { pub: false });
    }
    if (query.marker !== undefined) {
      const marker = await ds.getRepository(Flavor).findOneBy({ flavorid: query.marker });
      if (!marker) {
        throw new Invalid(`marker [${query.marker}] not found`);
      }
      const op = query.sortDir === 'asc' ? '>' : '<';
      qb.andWhere(
        new Brackets((w) =>
          w
            .where(`f.${query.sortKey} ${op} :mv`, { mv: marker[query.sortKey] })
            .orWhere(
              new Brackets((t) =>
                t.where(`f.${query.sortKey} = :mv`).andWhere(`f.id ${op} :mid`, { mid: marker.id }),
              ),
            ),
        ),
      );
    }
    const dir = query.sortDir === 'asc' ? 'ASC' : 'DESC';
    qb.orderBy(`f.${query.sortKey}`, dir).addOrderBy('f.id', dir).take(query.limit);
    return this.withSpecs(await qb.getMany(), ds);
  }

  async findByFlavorId(flavorid: string): Promise<FlavorWithSpecs | null> {
    const flavor = await (await this.db.get()).getRepository(Flavor).findOneBy({ flavorid });
    return flavor ? (await this.withSpecs([flavor]))[0] : null;
  }

  async projectsWithAccess(flavorId: number): Promise<string[]> {
    const rows = await (
      await this.db.get()
    )
      .getRepository(FlavorProject)
      .find({ where: { flavor_id: flavorId }, order: { id: 'ASC' } });
    return rows.map((r) => r.project_id);
  }

  async hasAccess(flavorId: number, projectId: string): Promise<boolean> {
    return (
      (await (
        await this.db.get()
      )
        .getRepository(FlavorProject)
        .countBy({ flavor_id: flavorId, project_id: projectId })) > 0
    );
  }

  /** Insert; a duplicate name or flavorid is reported by which one clashed. */
  async create(fields: Partial<Flavor>, projects: string[] = []): Promise<FlavorWithSpecs> {
    const ds = await this.db.get();
    const repo = ds.getRepository(Flavor);
    if (await repo.existsBy({ name: fields.name as string })) {
      throw new DuplicateFlavor('name');
    }
    if (await repo.existsBy({ flavorid: fields.flavorid as string })) {
      throw new DuplicateFlavor('id');
    }
    try {
      const saved = await writeTransaction(ds, async (tx: EntityManager) => {
        const flavor = await tx.getRepository(Flavor).save(tx.getRepository(Flavor).create(fields));
        for (const project of projects) {
          await tx.getRepository(FlavorProject).save({ flavor_id: flavor.id, project_id: project });
        }
        return flavor;
      });
      return { ...saved, specs: {} } as FlavorWithSpecs;
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new DuplicateFlavor(
          (await repo.existsBy({ name: fields.name as string })) ? 'name' : 'id',
        );
      }
      throw err;
    }
  }

  async updateDescription(flavor: Flavor, description: string | null): Promise<void> {
    await (
      await this.db.get()
    )
      .getRepository(Flavor)
      .update({ id: flavor.id }, { description, updated_at: new Date() });
  }

  async delete(flavor: Flavor): Promise<void> {
    const ds = await this.db.get();
    await writeTransaction(ds, async (tx) => {
      await tx.getRepository(FlavorExtraSpec).delete({ flavor_id: flavor.id });
      await tx.getRepository(FlavorProject).delete({ flavor_id: flavor.id });
      await tx.getRepository(Flavor).delete({ id: flavor.id });
    });
  }

  /** Returns false when the access already existed. */
  async addAccess(flavorId: number, projectId: string): Promise<boolean> {
    try {
      await (
        await this.db.get()
      )
        .getRepository(FlavorProject)
        .insert({ flavor_id: flavorId, project_id: projectId, created_at: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        return false;
      }
      throw err;
    }
  }

  /** Returns false when there was no such access. */
  async removeAccess(flavorId: number, projectId: string): Promise<boolean> {
    const result = await (
      await this.db.get()
    )
      .getRepository(FlavorProject)
      .delete({ flavor_id: flavorId, project_id: projectId });
    return (result.affected ?? 0) > 0;
  }

  /** Insert or update the given extra specs, atomically. */
  async upsertSpecs(flavorId: number, specs: Record<string, string>): Promise<void> {
    const ds = await this.db.get();
    await writeTransaction(ds, async (tx) => {
      const repo = tx.getRepository(FlavorExtraSpec);
      for (const [key, value] of Object.entries(specs)) {
        const updated = await repo.update(
          { flavor_id: flavorId, key },
          { value, updated_at: new Date() },
        );
        if ((updated.affected ?? 0) === 0) {
          await repo.insert({ flavor_id: flavorId, key, value, created_at: new Date() });
        }
      }
    });
  }

  /** Returns false when the key did not exist. */
  async deleteSpec(flavorId: number, key: string): Promise<boolean> {
    const result = await (
      await this.db.get()
    )
      .getRepository(FlavorExtraSpec)
      .delete({ flavor_id: flavorId, key });
    return (result.affected ?? 0) > 0;
  }

  private async withSpecs(flavors: Flavor[], from?: DataSource): Promise<FlavorWithSpecs[]> {
    if (flavors.length === 0) {
      return [];
    }
    const specs = await (from ?? (await this.db.get()))
      .getRepository(FlavorExtraSpec)
      .createQueryBuilder('s')
      .select(['s.flavor_id', 's.key', 's.value'])
      .where('s.flavor_id IN (:...ids)', { ids: flavors.map((f) => f.id) })
      .getMany();
    const byFlavor = new Map<number, Record<string, string>>();
    for (const spec of specs) {
      const map = byFlavor.get(spec.flavor_id) ?? {};
      map[spec.key] = spec.value ?? '';
      byFlavor.set(spec.flavor_id, map);
    }
    return flavors.map((f) => Object.assign(f, { specs: byFlavor.get(f.id) ?? {} }));
  }
}

export class DuplicateFlavor extends Error {
  constructor(readonly field: 'name' | 'id') {
    super(`duplicate flavor ${field}`);
  }
}

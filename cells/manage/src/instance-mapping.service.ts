import { Injectable } from '@nestjs/common';
import { INSTANCE_MIGRATION_MARKER, InstanceMappingRepository } from '@nova/api-db';
import { CellRouter } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { adminContext } from '@nova/common';

/** Instances per batch when no --max-count is given (Nova's default). */
export const MAP_INSTANCES_BATCH = 50;

export type VerifyOutcome =
  | { readonly kind: 'mapped'; readonly cellName: string | null; readonly cellUuid: string }
  | { readonly kind: 'no_mapping' }
  | { readonly kind: 'no_cell' }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'archived' };

/** `map_instances` and `verify_instance`. */
@Injectable()
export class InstanceMappingService {
  constructor(
    private readonly router: CellRouter,
    private readonly mappings: InstanceMappingRepository,
  ) {}

  /**
   * Create mappings for a cell's instances, oldest first, resuming where the last
   * run stopped (a marker row) unless `reset`. With `maxCount`, one batch of that
   * size; returns true when instances remain.
   */
  async mapInstances(
    cellUuid: string,
    options: { maxCount?: number; reset: boolean },
  ): Promise<{ more: boolean; mapped: number }> {
    const cell = await this.router.cell(cellUuid);
    const ctx = this.router.targetCell(adminContext({ readDeleted: 'yes' }), cell);
    const marker = await this.mappings.findMigrationMarker();
    let next: string | null =
      marker && !options.reset ? marker.instance_uuid.replace(/ /g, '-') : null;
    if (marker) {
      await this.mappings.delete(marker.instance_uuid);
    }
    const batch = options.maxCount ?? MAP_INSTANCES_BATCH;
    const db = await cellDb(ctx);
    let mapped = 0;
    do {
      const instances = await db.instances.listOldestFirst(batch, next);
      mapped += await this.mappings.createMissing(
        instances.map((i) => ({
          instance_uuid: i.uuid,
          cell_id: cell.id,
          project_id: i.project_id ?? '',
          user_id: i.user_id,
        })),
      );
      next = instances.length < batch ? null : (instances[instances.length - 1]?.uuid ?? null);
    } while (next !== null && options.maxCount === undefined);

    if (next !== null) {
      // Spaces instead of dashes: the marker must not collide with the real mapping.
      await this.mappings.create({
        instance_uuid: next.replace(/-/g, ' '),
        cell_id: null,
        project_id: INSTANCE_MIGRATION_MARKER,
        user_id: INSTANCE_MIGRATION_MARKER,
      });
      return { more: true, mapped };
    }
    return { more: false, mapped };
  }

  async verify(instanceUuid: string): Promise<VerifyOutcome> {
    const mapping = await this.mappings.findByInstanceUuid(instanceUuid);
    if (!mapping) {
      return { kind: 'no_mapping' };
    }
    if (!mapping.cell) {
      return { kind: 'no_cell' };
    }
    const cell = await this.router.cell(mapping.cell.uuid);
    const db = await cellDb(this.router.targetCell(adminContext({ readDeleted: 'yes' }), cell));
    const instance = await db.instances.findByUuid(instanceUuid);
    if (!instance) {
      return { kind: 'archived' };
    }
    if (instance.deleted !== 0) {
      return { kind: 'deleted' };
    }
    return { kind: 'mapped', cellName: cell.name, cellUuid: cell.uuid };
  }
}

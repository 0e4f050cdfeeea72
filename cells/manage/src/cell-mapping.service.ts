import { Inject, Injectable } from '@nestjs/common';
import {
  CELL0_NAME,
  CELL0_TRANSPORT_URL,
  CELL0_UUID,
  CellMappingRepository,
  HostMappingRepository,
  InstanceMappingRepository,
  type CellMapping,
} from '@nova/api-db';
import { CellRouter, formatCellUrl, toCell, type Cell } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { adminContext, Conflict, describeError } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { checkDatabaseReachable, deriveCell0Url } from '@nova/database';
import { parseTransportUrl } from '@nova/rpc';

export interface CellFields {
  name?: string | null;
  transportUrl?: string;
  databaseConnection?: string;
}

export type CreateCellOutcome =
  | { readonly kind: 'created'; readonly cell: CellMapping }
  | { readonly kind: 'duplicate'; readonly otherUuid: string; readonly what: 'urls' | 'name' }
  | { readonly kind: 'unreachable'; readonly message: string };

export type UpdateCellOutcome =
  | { readonly kind: 'updated'; readonly notes: readonly string[] }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'duplicate'; readonly otherUuid: string; readonly what: 'urls' | 'name' }
  | { readonly kind: 'both_flags' }
  | { readonly kind: 'cell0_toggle' }
  | { readonly kind: 'save_failed'; readonly message: string };

export type DeleteCellOutcome =
  | { readonly kind: 'deleted' }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'has_hosts' }
  | { readonly kind: 'has_instances' }
  | { readonly kind: 'only_deleted_instances' };

/**
 * Cell mappings as `nova-manage cell_v2` manages them. Every change is announced
 * so running processes pick it up without a restart.
 */
@Injectable()
export class CellMappingService {
  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly cells: CellMappingRepository,
    private readonly hosts: HostMappingRepository,
    private readonly instances: InstanceMappingRepository,
    private readonly router: CellRouter,
  ) {}

  /** Cells with template URLs filled from local config, sorted by name as list_cells shows them. */
  async list(): Promise<Cell[]> {
    const cells = (await this.cells.list()).map((m) => toCell(m, this.config));
    return cells.sort((a, b) =>
      (a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0,
    );
  }

  /**
   * Throw InvalidUrl (with the reason) unless `url` is a usable transport URL once
   * its template variables are filled from `[DEFAULT] transport_url`.
   */
  checkTransportUrl(url: string): void {
    parseTransportUrl(formatCellUrl(url, this.config.DEFAULT.transport_url));
  }

  /** `map_cell0`: create the cell0 mapping unless it exists. */
  async mapCell0(databaseConnection?: string): Promise<{ created: boolean; cell: CellMapping }> {
    const existing = await this.cells.findByUuid(CELL0_UUID);
    if (existing) {
      return { created: false, cell: existing };
    }
    const url = databaseConnection ?? deriveCell0Url(this.localDatabaseUrl());
    try {
      const cell = await this.cells.create({
        uuid: CELL0_UUID,
        name: CELL0_NAME,
        transport_url: CELL0_TRANSPORT_URL,
        database_connection: url,
      });
      await this.router.registry.announceChange();
      return { created: true, cell };
    } catch (err) {
      if (err instanceof Conflict) {
        return { created: false, cell: await this.cells.getByUuid(CELL0_UUID) }; // a racing map_cell0 won
      }
      throw err;
    }
  }

  async create(
    fields: Required<Pick<CellFields, 'transportUrl' | 'databaseConnection'>> & {
      name: string | null;
      disabled: boolean;
    },
  ): Promise<CreateCellOutcome> {
    const duplicate = await this.findDuplicate({ ...fields });
    if (duplicate) {
      return { kind: 'duplicate', ...duplicate };
    }
    const unreachable = await this.unreachable(fields.databaseConnection);
    if (unreachable) {
      return { kind: 'unreachable', message: unreachable };
    }
    const cell = await this.cells.create({
      name: fields.name,
      transport_url: fields.transportUrl,
      database_connection: fields.databaseConnection,
      disabled: fields.disabled,
    });
    await this.router.registry.announceChange();
    return { kind: 'created', cell };
  }

  async update(
    uuid: string,
    fields: CellFields & { enable: boolean; disable: boolean },
  ): Promise<UpdateCellOutcome> {
    const cell = await this.cells.findByUuid(uuid);
    if (!cell) {
      return { kind: 'not_found' };
    }
    const duplicate = await this.findDuplicate(fields, cell.id);
    if (duplicate) {
      return { kind: 'duplicate', ...duplicate };
    }
    if (fields.enable && fields.disable) {
      return { kind: 'both_flags' };
    }
    const notes: string[] = [];
    if (fields.enable || fields.disable) {
      if (cell.uuid === CELL0_UUID) {
        return { kind: 'cell0_toggle' };
      }
      if (fields.disable && cell.disabled) {
        notes.push(`Cell ${uuid} is already disabled`);
      } else if (fields.enable && !cell.disabled) {
        notes.push(`Cell ${uuid} is already enabled`);
      }
      cell.disabled = fields.disable;
    }
    if (fields.name) {
      cell.name = fields.name;
    }
    if (fields.transportUrl) {
      cell.transport_url = fields.transportUrl;
    }
    if (fields.databaseConnection) {
      cell.database_connection = fields.databaseConnection;
    }
    try {
      await this.cells.save(cell);
    } catch (err) {
      return { kind: 'save_failed', message: describeError(err) };
    }
    await this.router.registry.announceChange();
    return { kind: 'updated', notes };
  }

  async delete(uuid: string, force: boolean): Promise<DeleteCellOutcome> {
    const mapping = await this.cells.findByUuid(uuid);
    if (!mapping) {
      return { kind: 'not_found' };
    }
    const hostCount = await this.hosts.countByCell(mapping.id);
    if (hostCount > 0 && !force) {
      return { kind: 'has_hosts' };
    }
    const cell = toCell(mapping, this.config);
    const mappedInstances = await this.instances.countByCell(mapping.id);
    const ctx = this.router.targetCell(adminContext(), cell);
    if (mappedInstances > 0) {
      const live = await (await cellDb(ctx)).instances.countLive();
      if (live > 0) {
        return { kind: 'has_instances' };
      }
      if (!force) {
        return { kind: 'only_deleted_instances' };
      }
    }
    if (mappedInstances > 0) {
      await this.instances.deleteByCell(mapping.id);
    }
    if (hostCount > 0) {
      const { computeNodes } = await cellDb(ctx);
      await computeNodes.setMapped(
        (await computeNodes.listLive()).map((n) => n.id),
        0,
      );
      await this.hosts.deleteByCell(mapping.id);
    }
    await this.cells.delete(mapping);
    await this.router.pool.release(uuid);
    await this.router.registry.announceChange();
    return { kind: 'deleted' };
  }

  private localDatabaseUrl(): string {
    const url = this.config.database.connection;
    if (!url) {
      throw new Conflict(
        '[database] connection is not set, and no --database_connection was given',
      );
    }
    return url;
  }

  /**
   * Another cell using the same queue or the same database (either one: two cells
   * sharing a database would see each other's instances), or the same name.
   */
  private async findDuplicate(
    fields: CellFields,
    exceptId?: number,
  ): Promise<{ otherUuid: string; what: 'urls' | 'name' } | undefined> {
    for (const other of await this.cells.list()) {
      if (other.id === exceptId) {
        continue;
      }
      const cell = toCell(other, this.config);
      const sameDb =
        fields.databaseConnection !== undefined &&
        formatOr(fields.databaseConnection, this.config.database.connection) ===
          cell.databaseConnection;
      const sameMq =
        fields.transportUrl !== undefined &&
        formatOr(fields.transportUrl, this.config.DEFAULT.transport_url) === cell.transportUrl;
      if (sameDb || sameMq) {
        return { otherUuid: other.uuid, what: 'urls' };
      }
      if (fields.name && other.name === fields.name) {
        return { otherUuid: other.uuid, what: 'name' };
      }
    }
    return undefined;
  }

  private async unreachable(url: string): Promise<string | undefined> {
    try {
      await checkDatabaseReachable(
        formatCellUrl(url, this.config.database.connection),
        this.config.cells.connect_timeout * 1000,
      );
      return undefined;
    } catch (err) {
      return describeError(err);
    }
  }
}

function formatOr(template: string, base: string | undefined): string {
  try {
    return formatCellUrl(template, base);
  } catch {
    return template;
  }
}

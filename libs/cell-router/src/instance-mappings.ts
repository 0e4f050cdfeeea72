import { Inject, Injectable } from '@nestjs/common';
import { InstanceMappingRepository, type InstanceMapping } from '@nova/api-db';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { mappingCache } from '@nova/metrics';
import type { Cell } from './cell';
import { CellRegistry } from './cell-registry';

/** Where an instance lives. `cell` is null until the instance is scheduled. */
export interface InstanceLocation {
  readonly instanceUuid: string;
  readonly cell: Cell | null;
  readonly projectId: string;
  readonly userId: string | null;
  readonly queuedForDelete: boolean;
}

export interface NewMapping {
  readonly instanceUuid: string;
  readonly cell: Cell | null;
  readonly projectId: string;
  readonly userId: string | null;
}

interface CachedMapping {
  c: string | null;
  p: string;
  u: string | null;
  q: boolean;
}

const NEGATIVE = '-';

// Bound once: lookups are a hot path.
const cacheHit = mappingCache.labels({ result: 'hit' });
const cacheMiss = mappingCache.labels({ result: 'miss' });
const cacheError = mappingCache.labels({ result: 'error' });

/** Lookup counters for tests and benchmarks. */
export class MappingStats {
  cacheHits = 0;
  cacheMisses = 0;
  cacheErrors = 0;
  databaseReads = 0;
}

/**
 * The instance index, read through the shared cache. Redis is an accelerator and
 * never the source of truth: every write goes to the API database first and is
 * then mirrored (set or deleted) in the cache; any cache failure becomes a read of
 * the database. Unknown uuids are remembered briefly (negative caching) so a
 * stream of 404s does not hammer the database.
 */
@Injectable()
export class InstanceMappings {
  readonly stats = new MappingStats();
  private readonly ttl: number;
  private readonly negativeTtl: number;

  constructor(
    private readonly repo: InstanceMappingRepository,
    private readonly registry: CellRegistry,
    @Inject(CACHE_BACKEND) private readonly cache: CacheBackend,
    @Inject(NOVA_CONFIG) config: NovaConfig,
  ) {
    this.ttl = config.cache.expiration_time;
    this.negativeTtl = config.cells.mapping_negative_ttl;
  }

  /** Where the instance lives, or null when there is no mapping. */
  async lookup(instanceUuid: string): Promise<InstanceLocation | null> {
    const cached = await this.fromCache(instanceUuid);
    if (cached !== undefined) {
      return cached;
    }
    this.stats.databaseReads++;
    const row = await this.repo.findByInstanceUuid(instanceUuid);
    const location = row ? await this.toLocation(row) : null;
    await this.remember(instanceUuid, location);
    return location;
  }

  async create(fields: NewMapping): Promise<InstanceLocation> {
    await this.repo.create({
      instance_uuid: fields.instanceUuid,
      cell_id: fields.cell?.id ?? null,
      project_id: fields.projectId,
      user_id: fields.userId,
    });
    const location: InstanceLocation = { ...fields, queuedForDelete: false };
    await this.remember(fields.instanceUuid, location);
    return location;
  }

  /** Point the mapping at a cell (a move across cells, or cell0 for a build that failed). */
  async setCell(uuid: string, cell: Cell | null): Promise<void> {
    await this.repo.update(uuid, { cell_id: cell?.id ?? null });
    await this.writeThrough(uuid);
  }

  /**
   * Mirror in the cache a mapping written outside this class, as it was
   * written (a build's hand-over to its cell, which knows it without reading
   * the row back).
   */
  async mirror(location: InstanceLocation): Promise<void> {
    await this.remember(location.instanceUuid, location);
  }

  async setQueuedForDelete(uuid: string, queued: boolean): Promise<void> {
    await this.repo.update(uuid, { queued_for_delete: queued });
    await this.writeThrough(uuid);
  }

  async delete(uuid: string): Promise<void> {
    await this.repo.delete(uuid);
    await this.forget(uuid);
  }

  /** Drop the cached copy (after writes made outside this class). */
  async forget(uuid: string): Promise<void> {
    await this.cache.del(key(uuid)).catch(() => this.stats.cacheErrors++);
  }

  /** Re-read a row just written and cache it, so readers keep hitting the cache. */
  private async writeThrough(uuid: string): Promise<void> {
    const row = await this.repo.findByInstanceUuid(uuid);
    await this.remember(uuid, row ? await this.toLocation(row) : null);
  }

  private async fromCache(uuid: string): Promise<InstanceLocation | null | undefined> {
    let text: string | null;
    try {
      text = await this.cache.get(key(uuid));
    } catch {
      this.stats.cacheErrors++;
      cacheError.inc();
      return undefined;
    }
    if (text === null) {
      this.stats.cacheMisses++;
      cacheMiss.inc();
      return undefined;
    }
    if (text === NEGATIVE) {
      this.stats.cacheHits++;
      cacheHit.inc();
      return null;
    }
    const value = JSON.parse(text) as CachedMapping;
    const cell = value.c === null ? null : this.registry.peek(value.c);
    if (value.c !== null && !cell) {
      this.stats.cacheMisses++; // the cell it names is gone or not loaded: ask the database
      cacheMiss.inc();
      return undefined;
    }
    this.stats.cacheHits++;
    cacheHit.inc();
    return {
      instanceUuid: uuid,
      cell: cell ?? null,
      projectId: value.p,
      userId: value.u,
      queuedForDelete: value.q,
    };
  }

  private async remember(uuid: string, location: InstanceLocation | null): Promise<void> {
    const [text, ttl] =
      location === null
        ? [NEGATIVE, this.negativeTtl]
        : [
            JSON.stringify({
              c: location.cell?.uuid ?? null,
              p: location.projectId,
              u: location.userId,
              q: location.queuedForDelete,
            }),
            // Unscheduled mappings change within seconds: keep them briefly.
            location.cell ? this.ttl : this.negativeTtl,
          ];
    if (ttl <= 0) {
      return;
    }
    await this.cache.set(key(uuid), text, ttl).catch(() => this.stats.cacheErrors++);
  }

  private async toLocation(row: InstanceMapping): Promise<InstanceLocation> {
    const cell = row.cell ? await this.registry.get(row.cell.uuid) : null;
    return {
      instanceUuid: row.instance_uuid,
      cell,
      projectId: row.project_id,
      userId: row.user_id,
      queuedForDelete: row.queued_for_delete,
    };
  }
}

function key(uuid: string): string {
  return `imap:${uuid}`;
}

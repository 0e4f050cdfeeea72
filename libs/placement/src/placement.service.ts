import { Injectable } from '@nestjs/common';
import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  Allocation,
  ApiDatabase,
  Consumer,
  Inventory,
  ResourceClass,
  ResourceProvider,
} from '@nova/api-db';
import { sleep } from '@nova/common';
import {
  GroupCommit,
  batchedTransaction,
  insertRows,
  insertStatement,
  isDuplicateKeyError,
  retryOnDeadlock,
  type Statement,
} from '@nova/database';
import {
  ResourceProviderConcurrentUpdate,
  ResourceProviderNameConflict,
  ResourceProviderNotFound,
} from './placement-errors';
import { fitsView, KnownProviders, type ClaimView, type ClassUsage } from './claim-view';
import type {
  ConsumerAllocation,
  InventoryInputs,
  ProviderResource,
  ProviderSummary,
  ResourceRequest,
} from './placement-types';
import {
  type InventoryRow,
  capacity,
  checkClassName,
  inventoryRows,
  requestedAmounts,
  sameInventory,
  storedRatio,
} from './placement-validation';

/** A provider as ensureProvider leaves it. */
export interface ProviderRef {
  readonly id: number;
  readonly uuid: string;
  readonly name: string;
  readonly generation: number;
}

type ClaimOutcome = 'claimed' | 'generation-changed';

/** A claim whose view was read and fits, waiting to be written. */
interface PendingClaim {
  readonly view: ClaimView;
  readonly who: { consumerUuid: string; projectId: string; userId: string };
  readonly amounts: ReadonlyMap<string, number>;
}

/** First claims written in one transaction at most (see freshClaims). */
const MAX_CLAIMS_PER_COMMIT = 32;

/** Rolls the claim transaction back when the provider or the consumer changed since it was read. */
class GenerationChanged extends Error {}

/** Attempts before a claim gives up on a provider that keeps changing under it. */
const MAX_CLAIM_ATTEMPTS = 60;

interface InventoryQueryRow {
  rc: string | null;
  class_id: number | string | null;
  total: number | string | null;
  reserved: number | string;
  allocation_ratio: number | string;
  min_unit: number | string;
  max_unit: number | string;
  step_size: number | string;
}

/**
 * Placement in the API database: resource providers (compute nodes), their
 * inventories, and consumers' (instances') allocations against them.
 *
 * Concurrency. Every change to a provider's allocations or inventory bumps its
 * `generation`, in the same transaction, while holding the provider row's lock.
 * A claim reads the provider (generation, inventory, usage) in one statement,
 * checks the fit in memory, then commits only through a compare-and-swap
 * `UPDATE resource_providers SET generation = generation + 1 WHERE id = ? AND
 * generation = ?`. That UPDATE locks the row and compares against the latest
 * committed generation (an UPDATE reads current rows even under InnoDB's
 * REPEATABLE READ; SQLite has one writer at a time), so it succeeds only if no
 * other claim, release or inventory change committed since the read: the usage
 * the fit was checked against is still the usage at commit. Otherwise the
 * transaction rolls back and the claim reads again. Claims on one provider are
 * thus serialized on its row; they never depend on gap locks, which is what
 * makes an INSERT ... SELECT capacity check deadlock-prone on InnoDB. The
 * consumer is compared-and-swapped the same way (its generation, or its absence
 * by inserting it), so what it held at the read is what the claim replaces: one
 * read and one transaction (one commit) per claim.
 *
 * Lock order, so transactions cannot wait on each other in a cycle: the
 * consumer row first, then provider rows by ascending id.
 */
@Injectable()
export class PlacementService {
  private readonly classIds = new Map<string, number>();
  /**
   * First claims (a consumer that holds nothing yet: every new build) go
   * through group commit: concurrent ones share one transaction of three
   * statements, whatever their number, instead of three statements and a
   * commit each. That commit is what bounds the scheduler's decisions/s.
   */
  private readonly freshClaims = new GroupCommit<PendingClaim, ClaimOutcome>(
    (claims) => this.writeFreshClaims(claims),
    {
      keys: (c) => [`p${c.view.providerId}`, `c${c.who.consumerUuid}`],
      maxBatch: MAX_CLAIMS_PER_COMMIT,
    },
  );

  /** Each provider as last seen, so a new consumer's claim need not read it first. */
  private readonly known = new KnownProviders();

  constructor(private readonly db: ApiDatabase) {}

  /** Create the provider, or rename it; idempotent. */
  async ensureProvider(uuid: string, name: string): Promise<ProviderRef> {
    const repo = (await this.db.get()).getRepository(ResourceProvider);
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await repo.findOneBy({ uuid });
      if (existing) {
        if (existing.name !== name) {
          await repo
            .update({ id: existing.id }, { name, updated_at: new Date() })
            .catch((err: unknown) => {
              throw isDuplicateKeyError(err) ? new ResourceProviderNameConflict(name) : err;
            });
        }
        return { id: existing.id, uuid, name, generation: existing.generation };
      }
      try {
        const inserted = await repo.insert({
          uuid,
          name,
          generation: 0,
          root_provider_id: null,
          parent_provider_id: null,
          created_at: new Date(),
          updated_at: null,
        });
        const id = Number(inserted.identifiers[0]?.['id']);
        await repo.update({ id }, { root_provider_id: id }); // a root provider is its own root
        return { id, uuid, name, generation: 0 };
      } catch (err) {
        if (!isDuplicateKeyError(err)) {
          throw err;
        }
        if (!(await repo.existsBy({ uuid }))) {
          throw new ResourceProviderNameConflict(name);
        }
        // Created concurrently under the same uuid: take it from the top.
      }
    }
    throw new ResourceProviderConcurrentUpdate(uuid);
  }

  /**
   * Create or update the given classes of a provider's inventory (other classes
   * are left alone); resource classes are created on first use. Unchanged
   * inventory writes nothing, so periodic reports do not disturb claims.
   * Returns the provider's generation afterwards.
   */
  async setInventory(providerUuid: string, inventories: InventoryInputs): Promise<number> {
    const wanted = inventoryRows(inventories);
    const ds = await this.db.get();
    const provider = await this.provider(ds, providerUuid);
    const current = await this.inventoryOf(ds, provider.id);
    const unchanged = [...wanted].every(([rc, row]) => {
      const now = current.get(rc);
      return now !== undefined && sameInventory(now, row);
    });
    if (unchanged) {
      return provider.generation;
    }
    const classIds = await this.classIdsFor(ds, [...wanted.keys()]);
    return retryOnDeadlock(() =>
      ds.transaction(async (tx) => {
        const now = new Date();
        await bumpGeneration(tx, provider.id, now); // takes the provider's lock first
        const repo = tx.getRepository(Inventory);
        const rows = await repo.findBy({ resource_provider_id: provider.id });
        for (const [rc, row] of wanted) {
          const classId = classIds.get(rc) as number;
          const existing = rows.find((r) => r.resource_class_id === classId);
          if (existing) {
            await repo.update({ id: existing.id }, { ...row, updated_at: now });
          } else {
            await repo.insert({
              resource_provider_id: provider.id,
              resource_class_id: classId,
              ...row,
              created_at: now,
              updated_at: null,
            });
          }
        }
        const after = await tx.getRepository(ResourceProvider).findOneByOrFail({ id: provider.id });
        return after.generation;
      }),
    );
  }

  /**
   * Allocate `resources` on the provider to the consumer, replacing whatever
   * the consumer held before (on any provider): a re-claim or a move is one
   * call. False when a class does not fit (capacity, max_unit, min_unit,
   * step_size, no such inventory) or the provider does not exist; nothing is
   * written then. Concurrent claims never take a class above
   * (total - reserved) * allocation_ratio (see the class comment).
   */
  async claim(
    consumerUuid: string,
    projectId: string,
    userId: string,
    providerUuid: string,
    resources: ResourceRequest,
  ): Promise<boolean> {
    const amounts = requestedAmounts(resources);
    const who = { consumerUuid, projectId, userId };
    // First against the provider as last seen: no read when nothing changed since.
    const known = this.known.freshView(providerUuid);
    if (known && fitsView(known, amounts)) {
      if ((await this.freshClaims.submit({ view: known, who, amounts })) === 'claimed') {
        return true;
      }
      this.known.forget(providerUuid);
    }
    const ds = await this.db.get();
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const view = await this.claimView(ds, providerUuid, consumerUuid);
      if (!view || !fitsView(view, amounts)) {
        return false;
      }
      const pending = { view, who, amounts };
      const outcome =
        view.consumer === null
          ? await this.freshClaims.submit(pending)
          : await retryOnDeadlock(() => this.writeClaim(ds, pending));
      if (outcome === 'claimed') {
        return true;
      }
      await sleep(Math.random() * Math.min(50, 2 ** attempt)); // let the winner commit
    }
    throw new ResourceProviderConcurrentUpdate(providerUuid);
  }

  /** Delete every allocation of the consumer, and the consumer; true if it had any. Idempotent. */
  async release(consumerUuid: string): Promise<boolean> {
    const ds = await this.db.get();
    return retryOnDeadlock(() =>
      ds.transaction(async (tx) => {
        const now = new Date();
        const locked = await lockConsumer(tx, consumerUuid, now);
        const old = await tx.getRepository(Allocation).find({
          select: { id: true, resource_provider_id: true },
          where: { consumer_id: consumerUuid },
        });
        for (const id of sortedUnique(old.map((a) => a.resource_provider_id))) {
          await bumpGeneration(tx, id, now);
        }
        if (old.length > 0) {
          await tx.getRepository(Allocation).delete(old.map((a) => a.id));
        }
        if (locked) {
          await tx.getRepository(Consumer).delete({ uuid: consumerUuid });
        }
        return old.length > 0;
      }),
    );
  }

  /**
   * Hand every allocation of `from` to `to`, replacing what `to` held, in one
   * transaction (Nova's move of an instance's source allocation to its
   * migration, and back on a revert). Usage never changes by more than what
   * `to` gave up, so nothing is checked against capacity. False (and nothing
   * written) when `from` holds nothing.
   */
  async moveAllocations(
    from: string,
    to: string,
    projectId: string,
    userId: string,
  ): Promise<boolean> {
    const ds = await this.db.get();
    await this.ensureConsumer(ds, to, projectId, userId);
    return retryOnDeadlock(() =>
      ds.transaction(async (tx) => {
        const now = new Date();
        // Consumers first (both, in uuid order), then providers by ascending id.
        for (const uuid of [from, to].sort()) {
          await lockConsumer(tx, uuid, now, uuid === to ? { projectId, userId } : undefined);
        }
        const repo = tx.getRepository(Allocation);
        const moving = await repo.find({
          select: { id: true, resource_provider_id: true },
          where: { consumer_id: from },
        });
        if (moving.length === 0) {
          return false;
        }
        const replaced = await repo.find({
          select: { id: true, resource_provider_id: true },
          where: { consumer_id: to },
        });
        for (const id of sortedUnique(
          [...moving, ...replaced].map((a) => a.resource_provider_id),
        )) {
          await bumpGeneration(tx, id, now);
        }
        if (replaced.length > 0) {
          await repo.delete(replaced.map((a) => a.id));
        }
        await repo.update(
          moving.map((a) => a.id),
          { consumer_id: to, updated_at: now },
        );
        await tx.getRepository(Consumer).delete({ uuid: from });
        return true;
      }),
    );
  }

  /** What allocations use on the provider, by class (classes nobody uses are absent). */
  async usages(providerUuid: string): Promise<Record<string, number>> {
    const ds = await this.db.get();
    const provider = await this.provider(ds, providerUuid);
    const rows = await ds.query<Array<{ rc: string; used: number | string }>>(
      'SELECT rc.name AS rc, SUM(a.used) AS used FROM allocations a ' +
        'JOIN resource_classes rc ON rc.id = a.resource_class_id ' +
        'WHERE a.resource_provider_id = ? GROUP BY rc.name ORDER BY rc.name',
      [provider.id],
    );
    return Object.fromEntries(rows.map((r) => [r.rc, Number(r.used)]));
  }

  /** The consumer's allocations, per provider. */
  async allocationsOf(consumerUuid: string): Promise<ConsumerAllocation[]> {
    const rows = await (
      await this.db.get()
    ).query<Array<{ provider: string; rc: string; used: number | string }>>(
      'SELECT rp.uuid AS provider, rc.name AS rc, a.used AS used FROM allocations a ' +
        'JOIN resource_providers rp ON rp.id = a.resource_provider_id ' +
        'JOIN resource_classes rc ON rc.id = a.resource_class_id ' +
        'WHERE a.consumer_id = ? ORDER BY rp.id, rc.name',
      [consumerUuid],
    );
    const byProvider = new Map<string, Record<string, number>>();
    for (const r of rows) {
      byProvider.set(r.provider, { ...byProvider.get(r.provider), [r.rc]: Number(r.used) });
    }
    return [...byProvider].map(([providerUuid, resources]) => ({ providerUuid, resources }));
  }

  /**
   * Every provider (or those named) with capacity and usage per class, in one
   * query: what the scheduler builds its host states from.
   */
  async providerSummaries(uuids?: readonly string[]): Promise<ProviderSummary[]> {
    if (uuids !== undefined && uuids.length === 0) {
      return [];
    }
    const where = uuids ? `WHERE rp.uuid IN (${uuids.map(() => '?').join(', ')}) ` : '';
    const rows = await (
      await this.db.get()
    ).query<
      Array<
        InventoryQueryRow & {
          id: number | string;
          uuid: string;
          name: string;
          generation: number | string;
          used: number | string;
        }
      >
    >(
      'SELECT rp.id AS id, rp.uuid AS uuid, rp.name AS name, rp.generation AS generation, ' +
        'rc.name AS rc, ' +
        'inv.resource_class_id AS class_id, inv.total AS total, inv.reserved AS reserved, ' +
        'inv.allocation_ratio AS allocation_ratio, inv.min_unit AS min_unit, ' +
        'inv.max_unit AS max_unit, inv.step_size AS step_size, COALESCE(u.used, 0) AS used ' +
        'FROM resource_providers rp ' +
        'LEFT JOIN inventories inv ON inv.resource_provider_id = rp.id ' +
        'LEFT JOIN resource_classes rc ON rc.id = inv.resource_class_id ' +
        'LEFT JOIN (SELECT resource_provider_id, resource_class_id, SUM(used) AS used ' +
        'FROM allocations GROUP BY resource_provider_id, resource_class_id) u ' +
        'ON u.resource_provider_id = inv.resource_provider_id ' +
        'AND u.resource_class_id = inv.resource_class_id ' +
        `${where}ORDER BY rp.id, rc.name`,
      uuids ? [...uuids] : [],
    );
    const summaries = new Map<
      string,
      ProviderSummary & { resources: Record<string, ProviderResource> }
    >();
    // One statement, one snapshot: each provider's usage is its usage at that generation.
    const seen = new Map<string, { id: number; generation: number; classes: ClassUsage }>();
    for (const r of rows) {
      const summary = summaries.get(r.uuid) ?? {
        uuid: r.uuid,
        name: r.name,
        generation: Number(r.generation),
        resources: {},
      };
      summaries.set(r.uuid, summary);
      const classes: ClassUsage = seen.get(r.uuid)?.classes ?? (new Map() as ClassUsage);
      seen.set(r.uuid, { id: Number(r.id), generation: summary.generation, classes });
      const row = inventoryRowOf(r);
      if (row && r.rc !== null) {
        classes.set(r.rc, { classId: Number(r.class_id), row, used: Number(r.used) });
        summary.resources[r.rc] = {
          total: row.total,
          reserved: row.reserved,
          allocationRatio: storedRatio(row.allocation_ratio),
          minUnit: row.min_unit,
          maxUnit: row.max_unit,
          stepSize: row.step_size,
          capacity: capacity(row),
          used: Number(r.used),
        };
      }
    }
    for (const [uuid, { id, generation, classes }] of seen) {
      this.known.saw(uuid, id, generation, classes);
    }
    return [...summaries.values()];
  }

  private async provider(ds: DataSource, uuid: string): Promise<ResourceProvider> {
    const provider = await ds.getRepository(ResourceProvider).findOneBy({ uuid });
    if (!provider) {
      throw new ResourceProviderNotFound(uuid);
    }
    return provider;
  }

  private async inventoryOf(
    ds: DataSource,
    providerId: number,
  ): Promise<Map<string, InventoryRow>> {
    const rows = await ds.query<InventoryQueryRow[]>(
      'SELECT rc.name AS rc, inv.resource_class_id AS class_id, inv.total AS total, ' +
        'inv.reserved AS reserved, inv.allocation_ratio AS allocation_ratio, ' +
        'inv.min_unit AS min_unit, inv.max_unit AS max_unit, inv.step_size AS step_size ' +
        'FROM inventories inv JOIN resource_classes rc ON rc.id = inv.resource_class_id ' +
        'WHERE inv.resource_provider_id = ?',
      [providerId],
    );
    const result = new Map<string, InventoryRow>();
    for (const r of rows) {
      const row = inventoryRowOf(r);
      if (row && r.rc !== null) {
        result.set(r.rc, row);
      }
    }
    return result;
  }

  /** Ids of resource classes, creating the missing ones (cached: ids never change). */
  private async classIdsFor(
    ds: DataSource,
    names: readonly string[],
  ): Promise<Map<string, number>> {
    const missing = () => names.filter((n) => !this.classIds.has(n));
    const load = async () => {
      const rows = await ds.getRepository(ResourceClass).findBy({ name: In(missing()) });
      rows.forEach((r) => this.classIds.set(r.name, r.id));
    };
    if (missing().length > 0) {
      await load();
    }
    for (const name of missing()) {
      try {
        await ds
          .getRepository(ResourceClass)
          .insert({ name: checkClassName(name), created_at: new Date(), updated_at: null });
      } catch (err) {
        if (!isDuplicateKeyError(err)) {
          throw err; // a duplicate is another process creating it first: fine
        }
      }
    }
    if (missing().length > 0) {
      await load();
    }
    return new Map(names.map((n) => [n, this.classIds.get(n) as number]));
  }

  /** The consumer row, created outside the claim transaction so no gap lock is held there. */
  private async ensureConsumer(
    ds: DataSource,
    uuid: string,
    projectId: string,
    userId: string,
  ): Promise<void> {
    const repo = ds.getRepository(Consumer);
    if (await repo.existsBy({ uuid })) {
      return;
    }
    try {
      // A concurrent release of the same consumer can deadlock with this insert: retry it.
      await retryOnDeadlock(() =>
        repo.insert({
          uuid,
          project_id: projectId,
          user_id: userId,
          generation: 0,
          created_at: new Date(),
          updated_at: null,
        }),
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) {
        throw err;
      }
    }
  }

  /** The provider's generation, inventory, usage and the consumer's own usage: one statement. */
  private async claimView(
    ds: DataSource,
    providerUuid: string,
    consumerUuid: string,
  ): Promise<ClaimView | null> {
    const rows = await ds.query<
      Array<
        InventoryQueryRow & {
          id: number | string;
          generation: number | string;
          used: number | string;
          own: number | string;
          consumer_generation: number | string | null;
          consumer_providers: string | null;
        }
      >
    >(
      'SELECT rp.id AS id, rp.generation AS generation, rc.name AS rc, ' +
        'inv.resource_class_id AS class_id, inv.total AS total, inv.reserved AS reserved, ' +
        'inv.allocation_ratio AS allocation_ratio, inv.min_unit AS min_unit, ' +
        'inv.max_unit AS max_unit, inv.step_size AS step_size, ' +
        '(SELECT COALESCE(SUM(a.used), 0) FROM allocations a WHERE a.resource_provider_id = rp.id ' +
        'AND a.resource_class_id = inv.resource_class_id) AS used, ' +
        '(SELECT COALESCE(SUM(a.used), 0) FROM allocations a WHERE a.resource_provider_id = rp.id ' +
        'AND a.resource_class_id = inv.resource_class_id AND a.consumer_id = ?) AS own, ' +
        '(SELECT c.generation FROM consumers c WHERE c.uuid = ?) AS consumer_generation, ' +
        '(SELECT GROUP_CONCAT(DISTINCT a.resource_provider_id) FROM allocations a ' +
        'WHERE a.consumer_id = ?) AS consumer_providers ' +
        'FROM resource_providers rp ' +
        'LEFT JOIN inventories inv ON inv.resource_provider_id = rp.id ' +
        'LEFT JOIN resource_classes rc ON rc.id = inv.resource_class_id ' +
        'WHERE rp.uuid = ?',
      [consumerUuid, consumerUuid, consumerUuid, providerUuid],
    );
    const first = rows[0];
    if (!first) {
      return null;
    }
    const classes: ClaimView['classes'] = new Map();
    for (const r of rows) {
      const row = inventoryRowOf(r);
      if (row && r.rc !== null) {
        classes.set(r.rc, {
          classId: Number(r.class_id),
          row,
          used: Number(r.used),
          own: Number(r.own),
        });
      }
    }
    const consumer =
      first.consumer_generation === null
        ? null
        : {
            generation: Number(first.consumer_generation),
            providerIds: String(first.consumer_providers ?? '')
              .split(',')
              .filter(Boolean)
              .map(Number),
          };
    const view = {
      providerUuid,
      providerId: Number(first.id),
      generation: Number(first.generation),
      classes,
      consumer,
    };
    this.known.saw(providerUuid, view.providerId, view.generation, classes);
    return view;
  }

  /**
   * Claims of consumers that hold nothing, on distinct providers, in one
   * transaction: the consumers inserted, every provider compared-and-swapped in
   * one UPDATE, the allocations inserted. When any of it finds a row changed
   * since its read (a swap that missed, a consumer created meanwhile), the
   * whole batch rolls back and each claim is written alone, so the others
   * still land and only the stale ones read again (a lone claim reads again).
   */
  private async writeFreshClaims(claims: readonly PendingClaim[]): Promise<ClaimOutcome[]> {
    const ds = await this.db.get();
    try {
      // Two round trips on MySQL: the consumers and the swap, then (if every
      // provider swapped) the allocations with the commit.
      await retryOnDeadlock(() =>
        batchedTransaction(ds, async (tx) => {
          const now = new Date();
          const [, swapped] = await tx.send([
            insertStatement(
              ds,
              Consumer,
              claims.map(({ who }) => newConsumer(who, now)),
            ),
            swapStatement(ds, claims, now),
          ]);
          if (swapped.affected !== claims.length) {
            throw new GenerationChanged();
          }
          await tx.send(
            [
              insertStatement(
                ds,
                Allocation,
                claims.flatMap(({ view, who, amounts }) => allocationRows(view, who, amounts, now)),
              ),
            ],
            { commit: true },
          );
        }),
      );
      claims.forEach(({ view, amounts }) => this.known.claimed(view, amounts));
      return claims.map(() => 'claimed');
    } catch (err) {
      if (!(err instanceof GenerationChanged) && !isDuplicateKeyError(err)) {
        throw err;
      }
      if (claims.length === 1) {
        return ['generation-changed']; // read again: the provider or the consumer changed
      }
      return Promise.all(claims.map((c) => retryOnDeadlock(() => this.writeClaim(ds, c))));
    }
  }

  private async writeClaim(
    ds: DataSource,
    { view, who, amounts }: PendingClaim,
  ): Promise<ClaimOutcome> {
    try {
      await ds.transaction(async (tx) => {
        const now = new Date();
        // 1. The consumer's lock, by compare-and-swap: what it held at the read is what it holds.
        if (!(await swapConsumer(tx, who, view.consumer?.generation ?? null, now))) {
          throw new GenerationChanged();
        }
        const old = view.consumer?.providerIds ?? [];
        // 2. Provider locks by ascending id: the target by compare-and-swap, those it leaves by a bump.
        for (const id of sortedUnique([view.providerId, ...old])) {
          const swapped = await bumpGeneration(
            tx,
            id,
            now,
            id === view.providerId ? view.generation : undefined,
          );
          if (!swapped) {
            throw new GenerationChanged();
          }
        }
        // 3. Replace the consumer's allocations.
        const allocations = tx.getRepository(Allocation);
        if (old.length > 0) {
          await allocations.delete({ consumer_id: who.consumerUuid });
        }
        await insertRows(tx, Allocation, allocationRows(view, who, amounts, now));
      });
      this.known.claimed(view, amounts);
      return 'claimed';
    } catch (err) {
      if (err instanceof GenerationChanged) {
        return 'generation-changed';
      }
      throw err;
    }
  }
}

/** A consumer's row as its first claim creates it (generation 1). */
function newConsumer(who: { consumerUuid: string; projectId: string; userId: string }, now: Date) {
  return {
    uuid: who.consumerUuid,
    project_id: who.projectId,
    user_id: who.userId,
    generation: 1,
    created_at: now,
    updated_at: null,
  };
}

/**
 * Every claim's provider compared-and-swapped in one UPDATE: generation + 1
 * where it still is the generation the claim read.
 */
function swapStatement(ds: DataSource, claims: readonly PendingClaim[], now: Date): Statement {
  const updatedAt = ds.getMetadata(ResourceProvider).findColumnWithPropertyName('updated_at')!;
  return {
    sql:
      'UPDATE resource_providers SET generation = generation + 1, updated_at = ? WHERE ' +
      claims.map(() => '(id = ? AND generation = ?)').join(' OR '),
    params: [
      ds.driver.preparePersistentValue(now, updatedAt) as unknown,
      ...claims.flatMap(({ view }) => [view.providerId, view.generation]),
    ],
  };
}

/** The allocation rows of a claim on the view's provider. */
function allocationRows(
  view: ClaimView,
  who: { consumerUuid: string },
  amounts: ReadonlyMap<string, number>,
  now: Date,
) {
  return [...amounts].map(([rc, used]) => ({
    resource_provider_id: view.providerId,
    consumer_id: who.consumerUuid,
    resource_class_id: view.classes.get(rc)?.classId as number,
    used,
    created_at: now,
    updated_at: null,
  }));
}

/**
 * generation + 1 on the provider's row (locking it); with `expected`, only if
 * the generation still is that (compare-and-swap). False when it was not.
 */
async function bumpGeneration(
  tx: EntityManager,
  providerId: number,
  now: Date,
  expected?: number,
): Promise<boolean> {
  const qb = tx
    .createQueryBuilder()
    .update(ResourceProvider)
    .set({ generation: () => 'generation + 1', updated_at: now })
    .where('id = :providerId', { providerId });
  if (expected !== undefined) {
    qb.andWhere('generation = :expected', { expected });
  }
  return ((await qb.execute()).affected ?? 0) > 0;
}

/**
 * The consumer's row locked and its generation bumped if it still is `expected`;
 * with `expected` null, the consumer created (generation 1) if nobody created it
 * since. False when it changed (or appeared) meanwhile.
 */
async function swapConsumer(
  tx: EntityManager,
  who: { consumerUuid: string; projectId: string; userId: string },
  expected: number | null,
  now: Date,
): Promise<boolean> {
  if (expected === null) {
    try {
      await insertRows(tx, Consumer, newConsumer(who, now));
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        return false;
      }
      throw err;
    }
  }
  return lockConsumer(tx, who.consumerUuid, now, who, expected);
}

/**
 * Lock the consumer's row (generation + 1); with `expected`, only if its
 * generation still is that. False when there is no such consumer (or it changed).
 */
async function lockConsumer(
  tx: EntityManager,
  uuid: string,
  now: Date,
  owner?: { projectId: string; userId: string },
  expected?: number,
): Promise<boolean> {
  const qb = tx
    .createQueryBuilder()
    .update(Consumer)
    .set({
      generation: () => 'generation + 1',
      updated_at: now,
      ...(owner ? { project_id: owner.projectId, user_id: owner.userId } : {}),
    })
    .where('uuid = :uuid', { uuid });
  if (expected !== undefined) {
    qb.andWhere('generation = :expected', { expected });
  }
  return ((await qb.execute()).affected ?? 0) > 0;
}

function sortedUnique(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** An inventory row from a raw query (MySQL returns some numbers as strings); null without one. */
function inventoryRowOf(r: InventoryQueryRow): InventoryRow | null {
  if (r.total === null || r.class_id === null) {
    return null;
  }
  return {
    total: Number(r.total),
    reserved: Number(r.reserved),
    allocation_ratio: Number(r.allocation_ratio),
    min_unit: Number(r.min_unit),
    max_unit: Number(r.max_unit),
    step_size: Number(r.step_size),
  };
}

import { LRUCache } from 'lru-cache';
import { amountFits, type InventoryRow } from './placement-validation';

/** A provider's classes as one consistent read saw them: inventory and usage. */
export type ClassUsage = Map<string, { classId: number; row: InventoryRow; used: number }>;

/** A claim attempt reads this in one statement (one consistent snapshot). */
export interface ClaimView {
  readonly providerUuid: string;
  readonly providerId: number;
  readonly generation: number;
  readonly classes: Map<string, { classId: number; row: InventoryRow; used: number; own: number }>;
  /** The consumer as it was (null: none yet): its generation and the providers it holds. */
  readonly consumer: { readonly generation: number; readonly providerIds: number[] } | null;
}

/** What is remembered of a provider: its id, generation and usage at that generation. */
interface KnownProvider {
  readonly providerId: number;
  readonly generation: number;
  readonly classes: ClassUsage;
}

/** Providers remembered at most (a 50-cell region of 1,000 hosts each fits). */
const MAX_KNOWN = 100_000;

/**
 * The last consistent picture of each provider this process saw: from a
 * claim's read, from the scheduler's summaries, or left by its own claim
 * (generation + 1, usage + the amounts). A new consumer's first claim can be
 * written against it without reading the provider first: the claim's
 * compare-and-swap on the generation holds only if nothing changed since,
 * so the usage the fit was checked against is still the usage at commit.
 * When it does not hold (another writer, an inventory change, a consumer that
 * already exists), the picture is dropped and the claim reads as before.
 */
export class KnownProviders {
  private readonly known = new LRUCache<string, KnownProvider>({ max: MAX_KNOWN });

  /** A fresh consumer's view of the provider, if one is known. */
  freshView(providerUuid: string): ClaimView | null {
    const known = this.known.get(providerUuid);
    if (!known) {
      return null;
    }
    const classes: ClaimView['classes'] = new Map();
    for (const [rc, c] of known.classes) {
      classes.set(rc, { ...c, own: 0 });
    }
    return {
      providerUuid,
      providerId: known.providerId,
      generation: known.generation,
      classes,
      consumer: null,
    };
  }

  /** What a consistent read saw; an older generation than the one known is ignored. */
  saw(providerUuid: string, providerId: number, generation: number, classes: ClassUsage): void {
    const known = this.known.get(providerUuid);
    if (known && known.providerId === providerId && known.generation > generation) {
      return;
    }
    this.known.set(providerUuid, { providerId, generation, classes });
  }

  /** This process's claim of `amounts` committed against `view` (replacing the consumer's own). */
  claimed(view: ClaimView, amounts: ReadonlyMap<string, number>): void {
    const classes: ClassUsage = new Map();
    for (const [rc, c] of view.classes) {
      classes.set(rc, {
        classId: c.classId,
        row: c.row,
        used: c.used - c.own + (amounts.get(rc) ?? 0),
      });
    }
    this.saw(view.providerUuid, view.providerId, view.generation + 1, classes);
  }

  forget(providerUuid: string): void {
    this.known.delete(providerUuid);
  }
}

/** Whether every requested class fits, counting the consumer's own allocation as replaced. */
export function fitsView(view: ClaimView, amounts: ReadonlyMap<string, number>): boolean {
  for (const [rc, amount] of amounts) {
    const cls = view.classes.get(rc);
    if (!cls || !amountFits(cls.row, cls.used - cls.own, amount)) {
      return false;
    }
  }
  return true;
}

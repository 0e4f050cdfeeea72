import { Invalid } from '@nova/common';
import {
  QUOTA_RESOURCE_NAMES,
  type Limits,
  type QuotaResource,
  type SettableRange,
} from './quota-resources';

export type SettableRanges = Record<QuotaResource, SettableRange>;

/** A per-user limit stored in a project. */
export interface UserLimitRow {
  readonly userId: string;
  readonly resource: string;
  readonly limit: number;
}

/** -1 is "unlimited": larger than any number. */
const inf = (value: number): number => (value === -1 ? Infinity : value);

/** Sum of the (bounded) per-user limits of a resource, optionally leaving one user out. */
function sumOfUserLimits(rows: readonly UserLimitRow[], resource: string, except?: string): number {
  return rows
    .filter((r) => r.resource === resource && r.userId !== except && r.limit >= 0)
    .reduce((sum, r) => sum + r.limit, 0);
}

/**
 * Nova's settable quota ranges. A project limit may not go below what the
 * project uses, nor below the sum of its users' own limits; it has no maximum.
 * A user's limit may not go below what the user uses, nor above the project's
 * limit minus what the project's other users were given.
 */
export function settableRanges(input: {
  used: Limits;
  userRows: readonly UserLimitRow[];
  /** Set for a user's range: the project's resolved limits. */
  user?: { id: string; projectLimits: Limits };
}): SettableRanges {
  const out = {} as SettableRanges;
  for (const resource of QUOTA_RESOURCE_NAMES) {
    const used = input.used[resource];
    if (input.user === undefined) {
      out[resource] = {
        minimum: Math.max(used, sumOfUserLimits(input.userRows, resource)),
        maximum: -1,
      };
    } else {
      const projectLimit = input.user.projectLimits[resource];
      out[resource] = {
        minimum: used,
        maximum:
          projectLimit === -1
            ? -1
            : Math.max(projectLimit - sumOfUserLimits(input.userRows, resource, input.user.id), 0),
      };
    }
  }
  return out;
}

/** 400 with Nova's message for the first limit outside its range. */
export function checkSettable(limits: Partial<Limits>, ranges: SettableRanges): void {
  for (const [resource, limit] of Object.entries(limits) as Array<[QuotaResource, number]>) {
    const { minimum, maximum } = ranges[resource];
    if (inf(limit) < inf(minimum)) {
      throw new Invalid(
        `Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${minimum}.`,
      );
    }
    if (inf(limit) > inf(maximum)) {
      throw new Invalid(
        `Quota limit ${limit} for ${resource} must be less than or equal to ${maximum}.`,
      );
    }
  }
}

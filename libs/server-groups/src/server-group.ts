/** The placement policies a server group can have (soft ones from microversion 2.15). */
export const HARD_POLICIES = ['anti-affinity', 'affinity'] as const;
export const SOFT_POLICIES = ['soft-anti-affinity', 'soft-affinity'] as const;
export const SERVER_GROUP_POLICIES = [...HARD_POLICIES, ...SOFT_POLICIES] as const;
export type ServerGroupPolicy = (typeof SERVER_GROUP_POLICIES)[number];

/** Policy rules (2.64); only anti-affinity takes any. */
export interface ServerGroupRules {
  /** How many members one host may hold (anti-affinity; 1 when absent). */
  max_server_per_host?: number;
}

/** A server group as the API, the scheduler and the conductor see it. */
export interface ServerGroup {
  /** Row id in `instance_groups` (internal). */
  readonly id: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly projectId: string | null;
  readonly userId: string | null;
  /** Null only for legacy groups created without a policy. */
  readonly policy: string | null;
  readonly rules: ServerGroupRules;
  /**
   * Instance uuids of the members. Depending on how the group was read this is
   * every membership row (scheduler, conductor) or only the members whose
   * instance still exists (API views).
   */
  readonly members: readonly string[];
}

/** What a new group is made of. */
export interface NewServerGroup {
  readonly name: string;
  readonly policy: ServerGroupPolicy;
  readonly rules: ServerGroupRules;
}

/**
 * Rules as stored (JSON text in `instance_group_policy.rules`) back to an
 * object. max_server_per_host is an integer in responses even when it was
 * given as a digit string or stored as one.
 */
export function parseRules(text: string | null): ServerGroupRules {
  if (!text) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {};
  }
  // max_server_per_host is the only rule Nova's schema admits.
  const max = (parsed as Record<string, unknown>)['max_server_per_host'];
  return max === undefined || max === null ? {} : { max_server_per_host: Number(max) };
}

/** Rules to their stored form; no rules is NULL. */
export function serializeRules(rules: ServerGroupRules): string | null {
  return Object.keys(rules).length === 0 ? null : JSON.stringify(rules);
}

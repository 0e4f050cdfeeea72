import { Inject, Injectable } from '@nestjs/common';
import { Forbidden } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { QuotaLimitsRepository, type Levels } from './quota-limits.repository';
import {
  configDefaults,
  QUOTA_RESOURCE_NAMES,
  type Limits,
  type QuotaResource,
} from './quota-resources';
import { checkSettable, settableRanges, type SettableRanges } from './quota-settable';
import { UsageCounter, type InstanceUsage, type ProjectUsage } from './usage-counter';

/** Quota exceeded: 403 with Nova's message. */
export class OverQuota extends Forbidden {}

export type Deltas = Partial<Record<'instances' | 'cores' | 'ram' | 'server_groups', number>>;

/**
 * A user's limits within a project and the project's own. `userOwn`: the
 * resources the user has limits of their own for; for the others the user's
 * limit is the project's.
 */
export interface UserAndProjectLimits {
  readonly user: Limits;
  readonly project: Limits;
  readonly userOwn: ReadonlySet<string>;
}

const UNLIMITED: Limits = Object.fromEntries(QUOTA_RESOURCE_NAMES.map((r) => [r, -1])) as Limits;

/**
 * Nova's quotas: limits resolve as `[quota]` defaults < the `default` quota
 * class < the project's < the user's (within the project); usage is counted
 * live from the API database. `[quota] driver = nova.quota.NoopQuotaDriver`
 * makes everything unlimited and checks nothing.
 */
@Injectable()
export class QuotaService {
  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly repo: QuotaLimitsRepository,
    private readonly usage: UsageCounter,
  ) {}

  get enforced(): boolean {
    return this.config.quota.driver === 'nova.quota.DbQuotaDriver';
  }

  async defaults(): Promise<Limits> {
    return this.classLimits('default');
  }

  /**
   * A quota class's limits: `[quota]` defaults overridden by the class's own
   * rows. Only the `default` class feeds projects' limits; other classes are
   * stored and shown but, as in Nova, do not inherit from `default`.
   */
  async classLimits(className: string): Promise<Limits> {
    if (!this.enforced) {
      return { ...UNLIMITED };
    }
    return { ...configDefaults(this.config), ...(await this.repo.classLimits(className)) };
  }

  async projectLimits(projectId: string): Promise<Limits> {
    if (!this.enforced) {
      return { ...UNLIMITED };
    }
    const levels = await this.repo.levels(projectId);
    return this.projectOf(levels);
  }

  async userLimits(projectId: string, userId: string): Promise<Limits> {
    if (!this.enforced) {
      return { ...UNLIMITED };
    }
    return this.merge(await this.repo.levels(projectId, userId));
  }

  /** A user's limits within a project and the project's own, from one read. */
  async userAndProjectLimits(projectId: string, userId: string): Promise<UserAndProjectLimits> {
    if (!this.enforced) {
      return { user: { ...UNLIMITED }, project: { ...UNLIMITED }, userOwn: new Set() };
    }
    const levels = await this.repo.levels(projectId, userId);
    return {
      user: this.merge(levels),
      project: this.projectOf(levels),
      userOwn: new Set(Object.keys(levels.user)),
    };
  }

  /**
   * Which usage a check of `resources` must count: the project's where it
   * limits one of them, the user's where the user has a limit of their own on
   * one (a user's usage is part of the project's, so under limits inherited
   * from the project it can never run out first). Counting sums the
   * allocations of all the project's servers, the costliest read of a request
   * when a project has thousands, and wasted where nothing is limited.
   */
  scopesToCount(
    limits: Pick<UserAndProjectLimits, 'project'> & Partial<UserAndProjectLimits>,
    resources: readonly string[],
  ): { project: boolean; user: boolean } {
    const limited = (scope: Limits, only?: ReadonlySet<string>) =>
      resources.some((r) => scope[r as QuotaResource] >= 0 && (!only || only.has(r)));
    return {
      project: limited(limits.project),
      user: limits.user !== undefined && limited(limits.user, limits.userOwn ?? new Set()),
    };
  }

  /** Config defaults, overridden by the default class, the project, then the user. */
  private merge(levels: Levels): Limits {
    return { ...this.projectOf(levels), ...levels.user };
  }

  /** Config defaults, overridden by the default class, then the project. */
  private projectOf(levels: Levels): Limits {
    return { ...configDefaults(this.config), ...levels.defaults, ...levels.project };
  }

  /** Usage of a project (or of one user in it; keypairs are per user). */
  projectUsage(projectId: string, userId?: string): Promise<ProjectUsage> {
    return this.usage.projectUsage(projectId, userId);
  }

  /** Instances, cores and ram of a project (or of one user in it): what a server create counts. */
  instanceUsage(projectId: string, userId?: string): Promise<InstanceUsage> {
    return this.usage.instanceUsage(projectId, userId);
  }

  /**
   * Every resource's usage as the quota views report it ("in_use"): counted
   * resources from the API database, 0 for per-request limits and for keypairs
   * of a whole project (they belong to users), -1 everywhere without enforcement.
   */
  async inUse(projectId: string, userId?: string): Promise<Limits> {
    if (!this.enforced) {
      return { ...UNLIMITED };
    }
    const used = await this.usage.projectUsage(projectId, userId);
    const out = Object.fromEntries(QUOTA_RESOURCE_NAMES.map((r) => [r, 0])) as Limits;
    out.instances = used.instances;
    out.cores = used.cores;
    out.ram = used.ram;
    out.server_groups = used.server_groups;
    out.key_pairs = userId === undefined ? 0 : used.key_pairs;
    return out;
  }

  /** How low (and, for a user, how high) each limit may be set without `force`. */
  async settableRanges(projectId: string, userId?: string): Promise<SettableRanges> {
    if (!this.enforced) {
      return Object.fromEntries(
        QUOTA_RESOURCE_NAMES.map((r) => [r, { minimum: 0, maximum: -1 }]),
      ) as SettableRanges;
    }
    const [used, userRows] = await Promise.all([
      this.inUse(projectId, userId),
      this.repo.userLimitsOfProject(projectId),
    ]);
    return settableRanges({
      used,
      userRows,
      ...(userId === undefined
        ? {}
        : { user: { id: userId, projectLimits: await this.projectLimits(projectId) } }),
    });
  }

  /**
   * Set a project's limits (or a user's within it). Unless `force`, each new
   * limit must lie in its settable range (400 with Nova's message otherwise);
   * nothing is written when one does not.
   */
  async updateLimits(
    projectId: string,
    userId: string | undefined,
    limits: Partial<Limits>,
    force: boolean,
  ): Promise<void> {
    if (!force) {
      checkSettable(limits, await this.settableRanges(projectId, userId));
    }
    await (userId === undefined
      ? this.repo.setProjectLimits(projectId, limits)
      : this.repo.setUserLimits(projectId, userId, limits));
  }

  /**
   * Throw OverQuota unless the project (and the user, when given) may use
   * `deltas` more. Nova's message: "Quota exceeded for ram: Requested 4096, but
   * already used 1024 of 2048 ram".
   */
  async check(projectId: string, userId: string | null, deltas: Deltas): Promise<void> {
    if (!this.enforced) {
      return;
    }
    const limits: Pick<UserAndProjectLimits, 'project'> & Partial<UserAndProjectLimits> =
      userId === null
        ? { project: await this.projectLimits(projectId) }
        : await this.userAndProjectLimits(projectId, userId);
    const asked = Object.keys(deltas).filter((r) => (deltas[r as keyof Deltas] ?? 0) > 0);
    const count = this.scopesToCount(limits, asked);
    const scopes: Array<[Limits, ProjectUsage]> = [];
    if (count.project) {
      scopes.push([limits.project, await this.usage.projectUsage(projectId)]);
    }
    if (count.user && limits.user && userId !== null) {
      scopes.push([limits.user, await this.usage.projectUsage(projectId, userId)]);
    }
    for (const [limits, used] of scopes) {
      // Nova names the exceeded resources sorted (by code point, as Python sorts).
      const over = (Object.entries(deltas) as Array<[keyof Deltas, number]>)
        .filter(
          ([resource, delta]) =>
            delta > 0 && limits[resource] >= 0 && used[resource] + delta > limits[resource],
        )
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (over.length > 0) {
        const names = over.map(([r]) => r).join(', ');
        const requested = over.map(([, d]) => d).join(', ');
        const inUse = over.map(([r]) => used[r]).join(', ');
        const allowed = over.map(([r]) => limits[r]).join(', ');
        throw new OverQuota(
          `Quota exceeded for ${names}: Requested ${requested}, but already used ${inUse} of ${allowed} ${names}`,
        );
      }
    }
  }

  /**
   * One more keypair for this user? ("Quota exceeded, too many key pairs.")
   * Returns the limit, for the recheck in the insert (-1: unlimited).
   */
  async checkKeyPairs(projectId: string, userId: string): Promise<number> {
    if (!this.enforced) {
      return -1;
    }
    // Limits and the user's count in one round trip: this is on the import hot path.
    const { levels, keyPairs: used } = await this.repo.levelsAndKeyPairs(projectId, userId);
    const limit = this.merge(levels).key_pairs;
    if (limit >= 0 && used + 1 > limit) {
      throw new OverQuota('Quota exceeded, too many key pairs.');
    }
    return limit;
  }

  /** One more server group for this project? ("Quota exceeded, too many server groups.") */
  async checkServerGroups(projectId: string, userId: string): Promise<void> {
    if (!this.enforced) {
      return;
    }
    const limit = (await this.userLimits(projectId, userId)).server_groups;
    if (limit >= 0 && (await this.usage.projectUsage(projectId)).server_groups + 1 > limit) {
      throw new OverQuota('Quota exceeded, too many server groups.');
    }
  }

  /** `delta` more members in a group? ("Quota exceeded, too many servers in group") */
  async checkServerGroupMembers(
    projectId: string,
    groupUuid: string,
    delta: number,
  ): Promise<void> {
    if (!this.enforced) {
      return;
    }
    const limit = (await this.projectLimits(projectId)).server_group_members;
    if (limit >= 0 && (await this.usage.serverGroupMembers(groupUuid)) + delta > limit) {
      throw new OverQuota('Quota exceeded, too many servers in group');
    }
  }

  setClassLimits(className: string, limits: Partial<Limits>): Promise<void> {
    return this.repo.setClassLimits(className, limits);
  }

  setProjectLimits(projectId: string, limits: Partial<Limits>): Promise<void> {
    return this.repo.setProjectLimits(projectId, limits);
  }

  setUserLimits(projectId: string, userId: string, limits: Partial<Limits>): Promise<void> {
    return this.repo.setUserLimits(projectId, userId, limits);
  }

  deleteProjectLimits(projectId: string): Promise<void> {
    return this.repo.deleteProjectLimits(projectId);
  }

  deleteUserLimits(projectId: string, userId: string): Promise<void> {
    return this.repo.deleteUserLimits(projectId, userId);
  }

  /** Limits the project itself set (no defaults), for checks such as "user quota within project quota". */
  ownProjectLimits(projectId: string) {
    return this.repo.projectLimits(projectId);
  }
}

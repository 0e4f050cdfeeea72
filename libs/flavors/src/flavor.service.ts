import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Conflict, NotFound, type RequestContext } from '@nova/common';
import {
  FlavorAccessNotFound,
  FlavorExists,
  FlavorExtraSpecNotFound,
  FlavorNotFound,
} from './flavor-errors';
import {
  DuplicateFlavor,
  FlavorRepository,
  type FlavorQuery,
  type FlavorWithSpecs,
} from './flavor.repository';
import { validateExtraSpecs } from './extra-spec-validation';

export interface NewFlavor {
  name: string;
  flavorid?: string | null;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb: number;
  swap: number;
  rxtxFactor: number;
  isPublic: boolean;
  description: string | null;
}

/**
 * Flavors as Nova serves them. Everybody sees public flavors and the private ones
 * their project was given; admins see what they filter for. Management calls are
 * policy-checked by the API before they get here.
 */
@Injectable()
export class FlavorService {
  constructor(private readonly repo: FlavorRepository) {}

  list(
    ctx: RequestContext,
    query: Omit<FlavorQuery, 'filters'> & {
      isPublic: boolean | null;
      minMemoryMb?: number;
      minRootGb?: number;
      name?: string;
    },
  ): Promise<FlavorWithSpecs[]> {
    const { isPublic, minMemoryMb, minRootGb, name, ...rest } = query;
    const filters = ctx.isAdmin
      ? { isPublic, includeDisabled: true, minMemoryMb, minRootGb, name }
      : {
          isPublic: true,
          projectId: ctx.projectId ?? '',
          includeDisabled: false,
          minMemoryMb,
          minRootGb,
          name,
        };
    return this.repo.list({ ...rest, filters });
  }

  /** A flavor the caller may see; private ones only with access (or as admin). */
  async get(ctx: RequestContext, flavorid: string): Promise<FlavorWithSpecs> {
    const flavor = await this.repo.findByFlavorId(flavorid);
    if (
      !flavor ||
      (!flavor.is_public &&
        !ctx.isAdmin &&
        !(await this.repo.hasAccess(flavor.id, ctx.projectId ?? '')))
    ) {
      throw new FlavorNotFound(flavorid);
    }
    return flavor;
  }

  async create(input: NewFlavor): Promise<FlavorWithSpecs> {
    const flavorid = input.flavorid ?? randomUUID();
    try {
      return await this.repo.create({
        name: input.name,
        flavorid,
        memory_mb: input.memoryMb,
        vcpus: input.vcpus,
        root_gb: input.rootGb,
        ephemeral_gb: input.ephemeralGb,
        swap: input.swap,
        rxtx_factor: input.rxtxFactor,
        is_public: input.isPublic,
        description: input.description,
        disabled: false,
      });
    } catch (err) {
      if (err instanceof DuplicateFlavor) {
        throw new FlavorExists(
          err.field === 'name'
            ? `Flavor with name ${input.name} already exists.`
            : `Flavor with ID ${flavorid} already exists.`,
        );
      }
      throw err;
    }
  }

  async updateDescription(
    ctx: RequestContext,
    flavorid: string,
    description: string | null,
  ): Promise<FlavorWithSpecs> {
    const flavor = await this.get(ctx, flavorid);
    await this.repo.updateDescription(flavor, description);
    flavor.description = description;
    return flavor;
  }

  async delete(ctx: RequestContext, flavorid: string): Promise<void> {
    await this.repo.delete(await this.get(ctx, flavorid));
  }

  /** Projects with access to a private flavor; a public flavor has no access list (404). */
  async accessList(ctx: RequestContext, flavorid: string): Promise<string[]> {
    const flavor = await this.get(ctx, flavorid);
    if (flavor.is_public) {
      throw new NotFound('Access list not available for public flavors.');
    }
    return this.repo.projectsWithAccess(flavor.id);
  }

  /** Before 2.7 access could be "added" to a public flavor (a no-op); from 2.7 it is a conflict. */
  async addAccess(
    ctx: RequestContext,
    flavorid: string,
    projectId: string,
    rejectPublic: boolean,
  ): Promise<string[]> {
    const flavor = await this.get(ctx, flavorid);
    if (flavor.is_public && rejectPublic) {
      throw new Conflict('Can not add access to a public flavor.');
    }
    if (!(await this.repo.addAccess(flavor.id, projectId))) {
      throw new Conflict(
        `Flavor access already exists for flavor ${flavorid} and project ${projectId} combination.`,
      );
    }
    return this.repo.projectsWithAccess(flavor.id);
  }

  async removeAccess(ctx: RequestContext, flavorid: string, projectId: string): Promise<string[]> {
    const flavor = await this.get(ctx, flavorid);
    if (!(await this.repo.removeAccess(flavor.id, projectId))) {
      throw new FlavorAccessNotFound(flavorid, projectId);
    }
    return this.repo.projectsWithAccess(flavor.id);
  }

  async extraSpecs(ctx: RequestContext, flavorid: string): Promise<Record<string, string>> {
    return (await this.get(ctx, flavorid)).specs;
  }

  async extraSpec(ctx: RequestContext, flavorid: string, key: string): Promise<string> {
    const value = (await this.get(ctx, flavorid)).specs[key];
    if (value === undefined) {
      throw new FlavorExtraSpecNotFound(flavorid, key);
    }
    return value;
  }

  /** Add or change extra specs; from 2.86 their keys and values are validated. */
  async setExtraSpecs(
    ctx: RequestContext,
    flavorid: string,
    specs: Record<string, string>,
    validate: boolean,
  ): Promise<Record<string, string>> {
    const flavor = await this.get(ctx, flavorid);
    if (validate) {
      validateExtraSpecs(specs);
    }
    await this.repo.upsertSpecs(flavor.id, specs);
    return specs;
  }

  async deleteExtraSpec(ctx: RequestContext, flavorid: string, key: string): Promise<void> {
    const flavor = await this.get(ctx, flavorid);
    if (!(await this.repo.deleteSpec(flavor.id, key))) {
      throw new FlavorExtraSpecNotFound(flavorid, key);
    }
  }
}

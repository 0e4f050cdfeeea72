import { loadConfig } from '@nova/config';
import type { QuotaLimitsRepository } from './quota-limits.repository';
import type { Limits, QuotaResource } from './quota-resources';
import { OverQuota, QuotaService } from './quota.service';
import type { ProjectUsage, UsageCounter } from './usage-counter';

type Overrides = Partial<Limits>;

/** A QuotaService over in-memory limits and usage (no database). */
function serviceWith(options: {
  project?: Overrides;
  user?: Overrides;
  projectUsage?: Partial<ProjectUsage>;
  userUsage?: Partial<ProjectUsage>;
  userRows?: Array<{ userId: string; resource: QuotaResource; limit: number }>;
  driver?: string;
}) {
  const zero: ProjectUsage = { instances: 0, cores: 0, ram: 0, key_pairs: 0, server_groups: 0 };
  const written: Array<[string, Overrides]> = [];
  /** The scopes usage was counted for: a project, or project/user. */
  const counted: string[] = [];
  const repo = {
    classLimits: async () => ({}),
    levels: async (_p: string, userId?: string) => ({
      defaults: {},
      project: options.project ?? {},
      user: userId === undefined ? {} : (options.user ?? {}),
    }),
    userLimitsOfProject: async () => options.userRows ?? [],
    setProjectLimits: async (p: string, l: Overrides) => void written.push([p, l]),
    setUserLimits: async (p: string, u: string, l: Overrides) =>
      void written.push([`${p}/${u}`, l]),
  } as unknown as QuotaLimitsRepository;
  const usage = {
    projectUsage: async (p: string, userId?: string) => {
      counted.push(userId === undefined ? p : `${p}/${userId}`);
      return { ...zero, ...(userId === undefined ? options.projectUsage : options.userUsage) };
    },
    keyPairs: async () => options.userUsage?.key_pairs ?? 0,
  } as unknown as UsageCounter;
  const config = loadConfig({
    files: [],
    env: {},
    overrides: { quota: { driver: options.driver ?? 'nova.quota.DbQuotaDriver' } },
  });
  return { service: new QuotaService(config, repo, usage), written, counted };
}

describe('QuotaService.check', () => {
  it("names one exceeded resource with Nova's message", async () => {
    const { service } = serviceWith({ project: { ram: 2048 }, projectUsage: { ram: 1024 } });
    await expect(service.check('p', null, { ram: 4096 })).rejects.toThrow(
      new OverQuota('Quota exceeded for ram: Requested 4096, but already used 1024 of 2048 ram'),
    );
  });

  it('lists several exceeded resources alphabetically, values in the same order', async () => {
    const { service } = serviceWith({
      project: { instances: 2, cores: 4, ram: 1024 },
      projectUsage: { instances: 2, cores: 3, ram: 512 },
    });
    const check = service.check('p', null, { instances: 1, ram: 1024, cores: 2 });
    await expect(check).rejects.toBeInstanceOf(OverQuota);
    await expect(check).rejects.toMatchObject({
      code: 403,
      message:
        'Quota exceeded for cores, instances, ram: Requested 2, 1, 1024, but already used 3, 2, 512 of 4, 2, 1024 cores, instances, ram',
    });
  });

  it('leaves out resources within their limits, unlimited ones and zero deltas', async () => {
    const { service } = serviceWith({
      project: { instances: 10, cores: -1, ram: 100 },
      projectUsage: { instances: 1, cores: 999, ram: 100 },
    });
    await expect(service.check('p', null, { instances: 1, cores: 8, ram: 0 })).resolves.toBe(
      undefined,
    );
    await expect(service.check('p', null, { instances: 1, ram: 1 })).rejects.toThrow(
      'Quota exceeded for ram: Requested 1, but already used 100 of 100 ram',
    );
  });

  it("checks the user's limit against the user's usage", async () => {
    const { service } = serviceWith({
      project: { instances: 10 },
      user: { instances: 2 },
      projectUsage: { instances: 5 },
      userUsage: { instances: 2 },
    });
    await expect(service.check('p', null, { instances: 1 })).resolves.toBeUndefined();
    await expect(service.check('p', 'u', { instances: 1 })).rejects.toThrow(
      'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances',
    );
  });

  it('counts usage only in a scope with a limit the deltas could exceed', async () => {
    const unlimited = { instances: -1, cores: -1, ram: -1 };
    const free = serviceWith({ project: unlimited, projectUsage: { instances: 5000 } });
    await free.service.check('p', 'u', { instances: 1, cores: 2, ram: 512 });
    expect(free.counted).toEqual([]);

    // A limit on another resource than the deltas' counts nothing either.
    const groups = serviceWith({ project: { ...unlimited, server_groups: 2 } });
    await groups.service.check('p', 'u', { instances: 1 });
    expect(groups.counted).toEqual([]);

    // A user without limits of their own: the project's bind first, so only it is counted.
    const inherited = serviceWith({ project: { instances: 10 }, projectUsage: { instances: 9 } });
    await inherited.service.check('p', 'u', { instances: 1 });
    expect(inherited.counted).toEqual(['p']);

    // A user's own limit under an unlimited project: only the user is counted, and binds.
    const own = serviceWith({
      project: unlimited,
      user: { instances: 2 },
      userUsage: { instances: 2 },
    });
    await expect(own.service.check('p', 'u', { instances: 1 })).rejects.toThrow(
      'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances',
    );
    expect(own.counted).toEqual(['p/u']);
  });

  it('checks nothing with the Noop driver', async () => {
    const { service } = serviceWith({
      project: { instances: 0 },
      projectUsage: { instances: 5 },
      driver: 'nova.quota.NoopQuotaDriver',
    });
    await expect(service.check('p', 'u', { instances: 100 })).resolves.toBeUndefined();
    expect((await service.projectLimits('p')).instances).toBe(-1);
    expect((await service.inUse('p')).instances).toBe(-1);
  });
});

describe('QuotaService.updateLimits', () => {
  it("refuses a project limit below usage with Nova's message, writing nothing", async () => {
    const { service, written } = serviceWith({ projectUsage: { cores: 7 } });
    await expect(
      service.updateLimits('p', undefined, { ram: 10, cores: 6 }, false),
    ).rejects.toThrow(
      'Quota limit 6 for cores must be greater than or equal to already used and reserved 7.',
    );
    expect(written).toEqual([]);
    await service.updateLimits('p', undefined, { cores: 6 }, true);
    expect(written).toEqual([['p', { cores: 6 }]]);
  });

  it('keeps a project limit at or above the sum of its users’ limits', async () => {
    const { service } = serviceWith({
      userRows: [
        { userId: 'a', resource: 'instances', limit: 4 },
        { userId: 'b', resource: 'instances', limit: 5 },
        { userId: 'c', resource: 'instances', limit: -1 },
      ],
    });
    await expect(service.updateLimits('p', undefined, { instances: 8 }, false)).rejects.toThrow(
      'Quota limit 8 for instances must be greater than or equal to already used and reserved 9.',
    );
    await expect(
      service.updateLimits('p', undefined, { instances: -1 }, false),
    ).resolves.toBeUndefined();
  });

  it("keeps a user's limit within the project's, less the other users' limits", async () => {
    const { service, written } = serviceWith({
      project: { instances: 10 },
      userRows: [
        { userId: 'a', resource: 'instances', limit: 4 },
        { userId: 'b', resource: 'instances', limit: 5 },
      ],
      userUsage: { instances: 1 },
    });
    await expect(service.updateLimits('p', 'a', { instances: 6 }, false)).rejects.toThrow(
      'Quota limit 6 for instances must be less than or equal to 5.',
    );
    await expect(service.updateLimits('p', 'a', { instances: -1 }, false)).rejects.toThrow(
      'Quota limit -1 for instances must be less than or equal to 5.',
    );
    await expect(service.updateLimits('p', 'a', { instances: 0 }, false)).rejects.toThrow(
      'Quota limit 0 for instances must be greater than or equal to already used and reserved 1.',
    );
    await service.updateLimits('p', 'a', { instances: 5 }, false);
    expect(written).toEqual([['p/a', { instances: 5 }]]);
  });
});

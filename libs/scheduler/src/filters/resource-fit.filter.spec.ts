import { makeHost, makeSpec, resource } from '../testing/fixtures';
import { ResourceFitFilter } from './resource-fit.filter';

describe('ResourceFitFilter', () => {
  const flavor = { vcpus: 2, memory_mb: 2048, root_gb: 10, ephemeral_gb: 5, swap: 1024 };
  const spec = makeSpec({ flavor });
  const host = (vcpu: number, ram: number, disk: number) =>
    makeHost('a', {
      resources: { VCPU: resource(vcpu), MEMORY_MB: resource(ram), DISK_GB: resource(disk) },
    });

  it('passes a host with room for every class', () => {
    expect(ResourceFitFilter.hostPasses(host(2, 2048, 16), spec)).toBe(true);
  });

  it.each([
    ['vCPUs', host(1, 4096, 100)],
    ['RAM', host(8, 2047, 100)],
    ['disk (root + ephemeral + swap rounded up to GiB)', host(8, 4096, 15)],
  ])('drops a host short of %s', (_what, h) => {
    expect(ResourceFitFilter.hostPasses(h, spec)).toBe(false);
  });

  it('applies reserved amounts and allocation ratios', () => {
    const h = makeHost('a', {
      resources: {
        VCPU: resource(4, 7, { allocationRatio: 2, reserved: 0, maxUnit: 4 }), // 8 - 7 = 1 free
        MEMORY_MB: resource(4096, 0, { reserved: 2048 }), // 2048 free
        DISK_GB: resource(100),
      },
    });
    expect(ResourceFitFilter.hostPasses(h, makeSpec({ flavor: { ...flavor, vcpus: 1 } }))).toBe(
      true,
    );
    expect(ResourceFitFilter.hostPasses(h, spec)).toBe(false);
    expect(
      ResourceFitFilter.hostPasses(
        h,
        makeSpec({ flavor: { ...flavor, vcpus: 1, memory_mb: 2049 } }),
      ),
    ).toBe(false);
  });

  it('refuses more than max_unit even when capacity would allow it', () => {
    const h = makeHost('a', {
      resources: {
        VCPU: resource(4, 0, { allocationRatio: 16, maxUnit: 4 }),
        MEMORY_MB: resource(8192),
        DISK_GB: resource(100),
      },
    });
    expect(ResourceFitFilter.hostPasses(h, makeSpec({ flavor: { vcpus: 4 } }))).toBe(true);
    expect(ResourceFitFilter.hostPasses(h, makeSpec({ flavor: { vcpus: 5 } }))).toBe(false);
  });

  it('drops a host without inventory for a requested class', () => {
    const h = makeHost('a', { resources: { VCPU: resource(8), MEMORY_MB: resource(8192) } });
    expect(ResourceFitFilter.hostPasses(h, spec)).toBe(false);
  });

  it('asks no local disk for the root of a volume-backed server', () => {
    const h = host(8, 8192, 6);
    expect(ResourceFitFilter.hostPasses(h, makeSpec({ flavor, isBootFromVolume: true }))).toBe(
      true,
    );
    expect(ResourceFitFilter.hostPasses(h, spec)).toBe(false);
  });
});

import { requestedResources } from './request-spec';
import { makeSpec } from './testing/fixtures';

describe('requestedResources', () => {
  const flavor = { vcpus: 4, memory_mb: 8192, root_gb: 20, ephemeral_gb: 10, swap: 1536 };

  it('asks vcpus, memory and root + ephemeral + swap rounded up to GiB', () => {
    expect(requestedResources(makeSpec({ flavor }))).toEqual({
      VCPU: 4,
      MEMORY_MB: 8192,
      DISK_GB: 32,
    });
    expect(requestedResources(makeSpec({ flavor: { ...flavor, swap: 0 } })).DISK_GB).toBe(30);
  });

  it('asks no root disk for a volume-backed server', () => {
    expect(requestedResources(makeSpec({ flavor, isBootFromVolume: true })).DISK_GB).toBe(12);
  });

  it('lets resources:<CLASS> extra specs override a class', () => {
    const extra_specs = { 'resources:VCPU': '1', 'resources:DISK_GB': '0', 'resources:X': '3' };
    expect(requestedResources(makeSpec({ flavor: { ...flavor, extra_specs } }))).toEqual({
      VCPU: 1,
      MEMORY_MB: 8192,
      DISK_GB: 0,
    });
  });

  it('ignores overrides that are not whole numbers', () => {
    const extra_specs = { 'resources:VCPU': 'two', 'resources:MEMORY_MB': '-1' };
    expect(requestedResources(makeSpec({ flavor: { ...flavor, extra_specs } }))).toMatchObject({
      VCPU: 4,
      MEMORY_MB: 8192,
    });
  });
});

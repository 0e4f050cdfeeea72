import { capacityOf, consumeFromRequest, describeHost, fits, freeOf, hostFree } from './host-state';
import { makeHost, resource } from './testing/fixtures';

describe('host resources', () => {
  it('capacity is (total - reserved) * allocation_ratio, as placement computes it', () => {
    const r = resource(8, 3, { reserved: 2, allocationRatio: 4 });
    expect(capacityOf(r)).toBe(24);
    expect(freeOf(r)).toBe(21);
  });

  it('fits up to capacity, never above max_unit', () => {
    const r = resource(8, 20, { allocationRatio: 4, maxUnit: 8 });
    expect(fits(r, 8)).toBe(true); // 28 of 32
    expect(fits(r, 9)).toBe(false); // max_unit
    expect(fits({ ...r, used: 25 }, 8)).toBe(false); // 33 of 32
    expect(fits({ ...r, used: 24 }, 8)).toBe(true); // exactly full
  });

  it('honours min_unit and step_size', () => {
    const r = resource(100, 0, { minUnit: 10, stepSize: 5 });
    expect(fits(r, 5)).toBe(false);
    expect(fits(r, 12)).toBe(false);
    expect(fits(r, 15)).toBe(true);
  });

  it('needs no inventory for nothing, and fails anything without it', () => {
    expect(fits(undefined, 0)).toBe(true);
    expect(fits(undefined, 1)).toBe(false);
  });

  it('consumes an instance from the host in memory', () => {
    const h = makeHost('h', { nodename: 'n', instances: ['x'] });
    consumeFromRequest(h, { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 0 }, 'new');
    expect(h.resources.VCPU?.used).toBe(2);
    expect(hostFree(h, 'MEMORY_MB')).toBe(32768 - 1024);
    expect(h.resources.DISK_GB?.used).toBe(0);
    expect([...h.instances]).toEqual(['x', 'new']);
    expect(h.numInstances).toBe(2);
    expect(describeHost(h)).toBe('h/n');
    expect(describeHost(makeHost('solo'))).toBe('solo');
  });
});

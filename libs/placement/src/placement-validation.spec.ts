import { Invalid } from '@nova/common';
import {
  amountFits,
  capacity,
  inventoryRows,
  requestedAmounts,
  sameInventory,
  storedRatio,
} from './placement-validation';

describe('inventoryRows', () => {
  it("fills placement's defaults", () => {
    expect(inventoryRows({ VCPU: { total: 8 } }).get('VCPU')).toEqual({
      total: 8,
      reserved: 0,
      allocation_ratio: 1,
      min_unit: 1,
      max_unit: 8,
      step_size: 1,
    });
  });

  it('accepts custom classes and skips undefined entries', () => {
    const rows = inventoryRows({ CUSTOM_GPU: { total: 2 }, DISK_GB: undefined });
    expect([...rows.keys()]).toEqual(['CUSTOM_GPU']);
  });

  it.each([
    ['a zero total', { total: 0 }],
    ['a fractional total', { total: 1.5 }],
    ['reserved above total', { total: 4, reserved: 5 }],
    ['a negative reserved', { total: 4, reserved: -1 }],
    ['a zero ratio', { total: 4, allocation_ratio: 0 }],
    ['a NaN ratio', { total: 4, allocation_ratio: NaN }],
    ['max_unit 0', { total: 4, max_unit: 0 }],
    ['min_unit above max_unit', { total: 4, min_unit: 3, max_unit: 2 }],
    ['step_size 0', { total: 4, step_size: 0 }],
  ])('refuses %s', (_what, input) => {
    expect(() => inventoryRows({ VCPU: input })).toThrow(Invalid);
  });

  it('refuses a malformed class name', () => {
    expect(() => inventoryRows({ vcpu: { total: 1 } })).toThrow('Invalid resource class name');
    expect(() => inventoryRows({ 'X;DROP': { total: 1 } })).toThrow(Invalid);
  });
});

describe('requestedAmounts', () => {
  it('keeps positive whole amounts and drops zeros', () => {
    expect(requestedAmounts({ VCPU: 2, MEMORY_MB: 512, DISK_GB: 0 })).toEqual(
      new Map([
        ['VCPU', 2],
        ['MEMORY_MB', 512],
      ]),
    );
  });

  it('refuses negative or fractional amounts and an empty request', () => {
    expect(() => requestedAmounts({ VCPU: -1 })).toThrow(Invalid);
    expect(() => requestedAmounts({ VCPU: 0.5 })).toThrow(Invalid);
    expect(() => requestedAmounts({ VCPU: 0, DISK_GB: 0 })).toThrow('above zero');
    expect(() => requestedAmounts({})).toThrow(Invalid);
  });
});

describe('capacity and fit', () => {
  const row = {
    total: 10,
    reserved: 2,
    allocation_ratio: 1.5,
    min_unit: 1,
    max_unit: 4,
    step_size: 1,
  };

  it('capacity is (total - reserved) * allocation_ratio', () => {
    expect(capacity(row)).toBe(12);
  });

  it('reads single-precision ratios back as the value that was stored', () => {
    expect(storedRatio(Math.fround(0.9))).toBe(0.9);
    expect(storedRatio(16)).toBe(16);
    expect(capacity({ ...row, reserved: 0, allocation_ratio: Math.fround(0.9) })).toBe(9);
  });

  it('fits within capacity, max_unit, min_unit and step_size', () => {
    expect(amountFits(row, 8, 4)).toBe(true);
    expect(amountFits(row, 9, 4)).toBe(false);
    expect(amountFits(row, 0, 5)).toBe(false);
    expect(amountFits({ ...row, min_unit: 2 }, 0, 1)).toBe(false);
    expect(amountFits({ ...row, step_size: 2 }, 0, 3)).toBe(false);
    expect(amountFits({ ...row, step_size: 2 }, 0, 4)).toBe(true);
  });

  it('sees equal rows as unchanged, ratios compared as stored', () => {
    const a = { ...row, allocation_ratio: 0.9 };
    expect(sameInventory(a, { ...a, allocation_ratio: Math.fround(0.9) })).toBe(true);
    expect(sameInventory(a, { ...a, reserved: 3 })).toBe(false);
    expect(sameInventory(a, { ...a, allocation_ratio: 1 })).toBe(false);
  });
});

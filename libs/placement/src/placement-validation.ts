import { Invalid } from '@nova/common';
import type { InventoryInput, InventoryInputs, ResourceRequest } from './placement-types';

/** Standard or CUSTOM_* resource class names, as placement spells them. */
const CLASS_NAME = /^[A-Z][A-Z0-9_]{0,254}$/;

/** An inventory row's values, defaults filled in. */
export interface InventoryRow {
  readonly total: number;
  readonly reserved: number;
  readonly allocation_ratio: number;
  readonly min_unit: number;
  readonly max_unit: number;
  readonly step_size: number;
}

export function checkClassName(name: string): string {
  if (!CLASS_NAME.test(name)) {
    throw new Invalid(`Invalid resource class name: ${name}`, { name });
  }
  return name;
}

const isCount = (n: unknown, min: number): n is number =>
  Number.isInteger(n) && (n as number) >= min;

function inventoryRow(rc: string, input: InventoryInput): InventoryRow {
  const row = {
    total: input.total,
    reserved: input.reserved ?? 0,
    allocation_ratio: input.allocation_ratio ?? 1,
    min_unit: input.min_unit ?? 1,
    max_unit: input.max_unit ?? input.total,
    step_size: input.step_size ?? 1,
  };
  const valid =
    isCount(row.total, 1) &&
    isCount(row.reserved, 0) &&
    row.reserved <= row.total &&
    isCount(row.min_unit, 1) &&
    isCount(row.max_unit, 1) &&
    row.min_unit <= row.max_unit &&
    isCount(row.step_size, 1) &&
    Number.isFinite(row.allocation_ratio) &&
    row.allocation_ratio > 0;
  if (!valid) {
    throw new Invalid(`Invalid inventory for ${rc}: ${JSON.stringify(input)}`, { rc });
  }
  return row;
}

/** Inventories by class, validated, with placement's defaults. */
export function inventoryRows(inventories: InventoryInputs): Map<string, InventoryRow> {
  const rows = new Map<string, InventoryRow>();
  for (const [rc, input] of Object.entries(inventories)) {
    if (input !== undefined) {
      rows.set(checkClassName(rc), inventoryRow(rc, input));
    }
  }
  return rows;
}

/** Requested amounts by class: whole numbers, zeros dropped; at least one left. */
export function requestedAmounts(resources: ResourceRequest): Map<string, number> {
  const amounts = new Map<string, number>();
  for (const [rc, amount] of Object.entries(resources)) {
    if (amount === undefined || amount === 0) {
      continue;
    }
    if (!isCount(amount, 1)) {
      throw new Invalid(`Invalid amount of ${rc}: ${String(amount)}`, { rc });
    }
    amounts.set(checkClassName(rc), amount);
  }
  if (amounts.size === 0) {
    throw new Invalid('A claim needs an amount above zero of at least one resource class');
  }
  return amounts;
}

/**
 * An allocation ratio as stored: MySQL FLOAT keeps single precision (0.9 reads
 * back as 0.8999999761...), so round to the 7 digits it holds.
 */
export function storedRatio(value: number): number {
  return Number(Math.fround(value).toPrecision(7));
}

/** Whether two inventory rows are the same once stored (no generation bump for a no-op). */
export function sameInventory(a: InventoryRow, b: InventoryRow): boolean {
  return (
    a.total === b.total &&
    a.reserved === b.reserved &&
    a.min_unit === b.min_unit &&
    a.max_unit === b.max_unit &&
    a.step_size === b.step_size &&
    storedRatio(a.allocation_ratio) === storedRatio(b.allocation_ratio)
  );
}

/** Placement's capacity: what all allocations of the class together may use. */
export function capacity(row: InventoryRow): number {
  return (row.total - row.reserved) * storedRatio(row.allocation_ratio);
}

/** Whether one more consumer may take `amount` when `used` is already taken. */
export function amountFits(row: InventoryRow, used: number, amount: number): boolean {
  return (
    amount >= row.min_unit &&
    amount <= row.max_unit &&
    amount % row.step_size === 0 &&
    used + amount <= capacity(row)
  );
}

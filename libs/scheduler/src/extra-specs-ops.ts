/**
 * Nova's extra-spec operators, shared by ComputeCapabilitiesFilter and
 * AggregateInstanceExtraSpecsFilter (and the image hypervisor-version check):
 * a requirement is "<op> <operand>..." (whitespace separated) or, without a
 * known operator, a literal the value must equal as a string.
 *
 * - `=` value >= operand as numbers (Nova: "equal to or greater than")
 * - `==` `!=` `>=` `<=` compare as numbers
 * - `s==` `s!=` `s<` `s<=` `s>` `s>=` compare as strings
 * - `<in>` the operand is a substring of the value
 * - `<all-in>` every operand is a substring of the value
 * - `<or>` `<or> a <or> b ...`: the value equals one of the operands
 */

type Compare = (value: string, operand: string) => boolean;

// Maps, not object literals: a requirement word like "toString" must not find an operator.
const NUMERIC = new Map<string, (a: number, b: number) => boolean>([
  ['=', (a, b) => a >= b],
  ['==', (a, b) => a === b],
  ['!=', (a, b) => a !== b],
  ['>=', (a, b) => a >= b],
  ['<=', (a, b) => a <= b],
]);

const STRING = new Map<string, Compare>([
  ['s==', (a, b) => a === b],
  ['s!=', (a, b) => a !== b],
  ['s<', (a, b) => a < b],
  ['s<=', (a, b) => a <= b],
  ['s>', (a, b) => a > b],
  ['s>=', (a, b) => a >= b],
  ['<in>', (a, b) => a.includes(b)],
]);

const OR = '<or>';
const ALL_IN = '<all-in>';

/** Whether `op` is one of the operators above. */
export function isExtraSpecOperator(op: string): boolean {
  return NUMERIC.has(op) || STRING.has(op) || op === OR || op === ALL_IN;
}

/** Whether a capability or aggregate value satisfies one requirement. Null (absent) never does. */
export function matchExtraSpec(value: string | null | undefined, requirement: string): boolean {
  const words = requirement
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const op = words[0] ?? '';
  if (!isExtraSpecOperator(op)) {
    return value === requirement; // no operator: a literal
  }
  if (value === null || value === undefined) {
    return false;
  }
  const operands = words.slice(1);
  if (op === OR) {
    return operands.some((o) => o !== OR && o === value);
  }
  if (operands.length === 0) {
    return false; // an operator with nothing to compare against
  }
  if (op === ALL_IN) {
    return operands.every((o) => value.includes(o));
  }
  const operand = operands[0];
  const numeric = NUMERIC.get(op);
  if (numeric) {
    const [a, b] = [toNumber(value), toNumber(operand)];
    return a !== null && b !== null && numeric(a, b);
  }
  return (STRING.get(op) as Compare)(value, operand);
}

/** A number as Python's float() reads it; null when it is not one. */
function toNumber(text: string): number | null {
  const trimmed = text.trim();
  if (/^[-+]?inf(inity)?$/i.test(trimmed)) {
    return trimmed.startsWith('-') ? -Infinity : Infinity;
  }
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * A capability value as text for matching: strings as they are, booleans as
 * Python prints them, numbers in decimal, lists and objects as JSON.
 */
export function capabilityText(value: unknown): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

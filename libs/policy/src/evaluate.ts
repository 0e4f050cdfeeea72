import type { Check } from './rule-parser';

/** Who is asking, as a policy sees it (oslo.policy "creds"). */
export interface Credentials {
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly roles: readonly string[];
  readonly is_admin: boolean;
}

export type Target = Readonly<Record<string, unknown>>;

/**
 * Evaluate a parsed check. `rule:` references resolve through `lookup`; a
 * reference to an unknown rule fails closed. Role names compare
 * case-insensitively, as Keystone role names do.
 */
export function evaluate(
  check: Check,
  target: Target,
  creds: Credentials,
  lookup: (name: string) => Check | undefined,
  depth = 0,
): boolean {
  if (depth > 50) {
    return false; // a rule that refers to itself
  }
  switch (check.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'rule': {
      const referenced = lookup(check.name);
      return referenced !== undefined && evaluate(referenced, target, creds, lookup, depth + 1);
    }
    case 'role': {
      const wanted = substitute(check.role, target)?.toLowerCase();
      return wanted !== undefined && creds.roles.some((r) => r.toLowerCase() === wanted);
    }
    case 'generic':
      return genericMatch(check.field, check.match, target, creds);
    case 'not':
      return !evaluate(check.check, target, creds, lookup, depth + 1);
    case 'and':
      return check.checks.every((c) => evaluate(c, target, creds, lookup, depth + 1));
    case 'or':
      return check.checks.some((c) => evaluate(c, target, creds, lookup, depth + 1));
  }
}

/** `field:%(attr)s` compares a credential field with a target attribute; `field:'x'` with a literal. */
function genericMatch(field: string, match: string, target: Target, creds: Credentials): boolean {
  const expected = substitute(match, target);
  if (expected === undefined) {
    return false;
  }
  if (/^'.*'$/.test(field)) {
    return field.slice(1, -1) === expected; // 'literal':%(attr)s
  }
  const actual = (creds as unknown as Record<string, unknown>)[field];
  if (typeof actual === 'boolean') {
    return String(actual) === expected.toLowerCase() || (actual ? 'True' : 'False') === expected;
  }
  return (typeof actual === 'string' || typeof actual === 'number') && String(actual) === expected;
}

function substitute(text: string, target: Target): string | undefined {
  const literal = /^'(.*)'$/.exec(text);
  if (literal) {
    return literal[1];
  }
  const ref = /^%\((.+)\)s$/.exec(text);
  if (!ref) {
    return text;
  }
  const value = target[ref[1]];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

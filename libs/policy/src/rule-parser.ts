/**
 * oslo.policy's rule language: `@` (always), `!` (never), `role:admin`,
 * `rule:other_rule`, `field:%(target_attr)s`, `field:'literal'`, combined with
 * `and`, `or`, `not` and parentheses. The legacy list form
 * `[["a", "b"], ["c"]]` (an OR of ANDs) is accepted too.
 */
export type Check =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'rule'; readonly name: string }
  | { readonly kind: 'role'; readonly role: string }
  | { readonly kind: 'generic'; readonly field: string; readonly match: string }
  | { readonly kind: 'not'; readonly check: Check }
  | { readonly kind: 'and'; readonly checks: readonly Check[] }
  | { readonly kind: 'or'; readonly checks: readonly Check[] };

export class PolicySyntaxError extends Error {}

export function parseRule(rule: string | unknown[]): Check {
  if (Array.isArray(rule)) {
    return parseLegacyList(rule);
  }
  const tokens = tokenize(rule);
  if (tokens.length === 0) {
    return { kind: 'true' }; // an empty rule always passes, as in oslo.policy
  }
  const parser = new Parser(tokens);
  const check = parser.parseOr();
  if (!parser.done()) {
    throw new PolicySyntaxError(`unexpected '${parser.peek() ?? ''}' in rule: ${rule}`);
  }
  return check;
}

function parseLegacyList(list: unknown[]): Check {
  if (list.length === 0) {
    return { kind: 'true' };
  }
  const alternatives = list.map((entry) => {
    const inner = Array.isArray(entry) ? entry : [entry];
    return { kind: 'and' as const, checks: inner.map((c) => parseRule(String(c))) };
  });
  return { kind: 'or', checks: alternatives };
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  // `%(attr)s` keeps its parentheses; other parentheses group.
  const re = /\s*(\(|\)|(?:%\([^)]*\)|[^\s()])+)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    tokens.push(match[1]);
  }
  return tokens;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: string[]) {}

  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  peek(): string | undefined {
    return this.tokens[this.pos];
  }

  parseOr(): Check {
    const checks = [this.parseAnd()];
    while (this.peek()?.toLowerCase() === 'or') {
      this.pos++;
      checks.push(this.parseAnd());
    }
    return checks.length === 1 ? checks[0] : { kind: 'or', checks };
  }

  private parseAnd(): Check {
    const checks = [this.parseNot()];
    while (this.peek()?.toLowerCase() === 'and') {
      this.pos++;
      checks.push(this.parseNot());
    }
    return checks.length === 1 ? checks[0] : { kind: 'and', checks };
  }

  private parseNot(): Check {
    if (this.peek()?.toLowerCase() === 'not') {
      this.pos++;
      return { kind: 'not', check: this.parseNot() };
    }
    return this.parseAtom();
  }

  private parseAtom(): Check {
    const token = this.tokens[this.pos++];
    if (token === undefined) {
      throw new PolicySyntaxError('rule ends early');
    }
    if (token === '(') {
      const inner = this.parseOr();
      if (this.tokens[this.pos++] !== ')') {
        throw new PolicySyntaxError('missing )');
      }
      return inner;
    }
    if (token === '@') {
      return { kind: 'true' };
    }
    if (token === '!') {
      return { kind: 'false' };
    }
    const colon = token.indexOf(':');
    if (colon <= 0) {
      throw new PolicySyntaxError(`not a check: ${token}`);
    }
    const kind = token.slice(0, colon);
    const value = token.slice(colon + 1);
    if (kind === 'rule') {
      return { kind: 'rule', name: value };
    }
    if (kind === 'role') {
      return { kind: 'role', role: value };
    }
    return { kind: 'generic', field: kind, match: value };
  }
}

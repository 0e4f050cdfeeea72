import { evaluate, type Credentials } from './evaluate';
import { BASE_RULES } from './nova-policies';
import { parseRule, PolicySyntaxError, type Check } from './rule-parser';

const rules = new Map<string, Check>(Object.entries(BASE_RULES).map(([k, v]) => [k, parseRule(v)]));
const check = (
  rule: string | unknown[],
  creds: Partial<Credentials>,
  target: Record<string, unknown> = {},
) =>
  evaluate(
    parseRule(rule),
    target,
    { user_id: 'u1', project_id: 'p1', roles: [], is_admin: false, ...creds },
    (n) => rules.get(n),
  );

describe('oslo.policy rule language', () => {
  it('knows @, ! and the empty rule', () => {
    expect(check('@', {})).toBe(true);
    expect(check('!', { roles: ['admin'] })).toBe(false);
    expect(check('', {})).toBe(true);
  });

  it('checks roles case-insensitively and fields against the target', () => {
    expect(check('role:Admin', { roles: ['admin'] })).toBe(true);
    expect(check('project_id:%(project_id)s', {}, { project_id: 'p1' })).toBe(true);
    expect(check('project_id:%(project_id)s', {}, { project_id: 'p2' })).toBe(false);
    expect(check('project_id:%(project_id)s', {}, {})).toBe(false);
    expect(check("'p1':%(project_id)s", {}, { project_id: 'p1' })).toBe(true);
    expect(check('is_admin:True', { is_admin: true })).toBe(true);
  });

  it('combines with and, or, not and parentheses, with and binding tighter', () => {
    expect(check('role:a or role:b and role:c', { roles: ['a'] })).toBe(true);
    expect(check('(role:a or role:b) and role:c', { roles: ['a'] })).toBe(false);
    expect(check('not role:a', { roles: ['b'] })).toBe(true);
    expect(check('role:a and not (role:b or role:c)', { roles: ['a', 'c'] })).toBe(false);
  });

  it('follows rule: references and fails closed on unknown ones', () => {
    const member = { roles: ['member', 'reader'] };
    expect(check('rule:project_member_or_admin', member, { project_id: 'p1' })).toBe(true);
    expect(check('rule:project_member_or_admin', member, { project_id: 'p2' })).toBe(false);
    expect(check('rule:project_member_or_admin', { roles: ['reader'] }, { project_id: 'p1' })).toBe(
      false,
    );
    expect(check('rule:project_reader_or_admin', { roles: ['admin'] }, { project_id: 'p2' })).toBe(
      true,
    );
    expect(check('rule:no_such_rule', { roles: ['admin'] })).toBe(false);
  });

  it('accepts the legacy list form (OR of ANDs)', () => {
    expect(check([['role:a', 'role:b'], ['role:c']], { roles: ['c'] })).toBe(true);
    expect(check([['role:a', 'role:b']], { roles: ['a'] })).toBe(false);
  });

  it('rejects malformed rules', () => {
    expect(() => parseRule('role:a and')).toThrow(PolicySyntaxError);
    expect(() => parseRule('(role:a')).toThrow(PolicySyntaxError);
    expect(() => parseRule('banana')).toThrow(PolicySyntaxError);
  });
});

import { adminContext, type RequestContext } from '@nova/common';
import type { NovaConfig } from '@nova/config';
import { PolicyEnforcer } from './policy-enforcer';

const RULE = 'os_compute_api:os-quota-sets:show';

function enforcer(enforceNewDefaults: boolean): PolicyEnforcer {
  const config = {
    files: [],
    oslo_policy: {
      policy_file: '/nonexistent/policy.yaml',
      enforce_new_defaults: enforceNewDefaults,
    },
  } as unknown as NovaConfig;
  return new PolicyEnforcer(config);
}

// A user with a role the new defaults do not know ("_member_" of old deployments).
const legacyUser: RequestContext = adminContext({
  userId: 'u1',
  projectId: 'p1',
  roles: ['_member_'],
  isAdmin: false,
});

describe('PolicyEnforcer enforce_new_defaults', () => {
  it('requires the reader/member roles under the new defaults', () => {
    expect(enforcer(true).allows(legacyUser, RULE)).toBe(false);
    expect(enforcer(true).allows({ ...legacyUser, roles: ['reader'] }, RULE)).toBe(true);
  });

  it('also accepts the deprecated owner rule when new defaults are off', () => {
    expect(enforcer(false).allows(legacyUser, RULE)).toBe(true);
    // Still scoped to the caller's own project.
    expect(enforcer(false).allows(legacyUser, RULE, { project_id: 'p2', user_id: 'u1' })).toBe(
      false,
    );
  });
});

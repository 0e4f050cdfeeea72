import type { PolicySuite } from './policy-case';

/** Any well-formed ssh public key will do (importing is much faster than generating). */
export const POLICY_TEST_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0aWUR6sh7FibmEyGxdF7vWo+7mTH8Tq1mEMJVicnqzBPjIvtFXUQnX/4dCOkeiUza3DQzFhHilEdcAoGdwgIZXrTWjpXz7qd4hqC6wdvSoZB/fBtoYXoK3fzWttHHDCQ4chxT+xYSdRuJcQxGpCeaC+HOiIvQbsWSoplKNY4P1unNkj+mygGZFPtlMu/DLi9fkSY/OnLbA9A+/XQtpIBQ858FZ+NQstN8rSM57csY2Lw6MbuemYSOyQdij6uJFhbbWTHzXxcuf3Qx9knZpgEorCH3FUGWmX5u0nDAD104YoD/DjynGSRDUEyH6RWv8JknQ74hJl+NCQ5KTQxPaSoJ policy';

const KEYS = '/v2.1/os-keypairs';
const ANY = (ok: number) => ({ other: ok, reader: ok, member: ok, manager: ok, admin: ok });
/** Owner (member = user demo) or admin; everyone else is refused by policy. */
const DEMO_OR_ADMIN = (ok: number) => ({
  other: 403,
  reader: 403,
  member: ok,
  manager: 403,
  admin: ok,
});
/** Keypairs are looked up among the caller's own: somebody else's is simply not there. */
const ONLY_DEMO = (ok: number) => ({
  other: 404,
  reader: 404,
  member: ok,
  manager: 404,
  admin: 404,
});

const importBody = (name: string, extra: Record<string, unknown> = {}) => ({
  keypair: { name, public_key: POLICY_TEST_KEY, ...extra },
});

/**
 * Keypairs belong to users (rule: admin or user_id:%(user_id)s). Personas:
 * admin = user admin, member = demo, reader = reader, manager = boss, other = other;
 * the fixtures belong to demo.
 */
export const keypairPolicies: PolicySuite = {
  resource: 'keypairs',
  setup: async (api) => {
    for (const name of ['pol-kp', 'pol-del-own', 'pol-del-admin']) {
      await api.post(KEYS, importBody(name, { user_id: 'demo' }), { version: '2.10' });
    }
    return {};
  },
  cases: [
    { name: 'list own', method: 'GET', url: KEYS, expect: ANY(200) },
    {
      name: 'list own paged',
      method: 'GET',
      url: `${KEYS}?limit=1`,
      version: '2.35',
      expect: ANY(200),
    },
    {
      name: "list demo's (user_id, 2.10)",
      method: 'GET',
      url: `${KEYS}?user_id=demo`,
      version: '2.10',
      expect: DEMO_OR_ADMIN(200),
    },
    {
      name: 'list with user_id before 2.10 (ignored: own)',
      method: 'GET',
      url: `${KEYS}?user_id=demo`,
      version: '2.9',
      expect: ANY(200),
    },
    {
      name: 'create own (2.1)',
      method: 'POST',
      url: KEYS,
      body: (_: unknown, p: string) => importBody(`pol-own-${p}`),
      expect: ANY(200),
    },
    {
      name: 'create own (2.2)',
      method: 'POST',
      url: KEYS,
      version: '2.2',
      body: (_: unknown, p: string) => importBody(`pol-own22-${p}`),
      expect: ANY(201),
    },
    {
      name: 'create for demo (user_id, 2.10)',
      method: 'POST',
      url: KEYS,
      version: '2.10',
      body: (_: unknown, p: string) => importBody(`pol-for-demo-${p}`, { user_id: 'demo' }),
      expect: DEMO_OR_ADMIN(201),
    },
    {
      name: "show demo's keypair among one's own",
      method: 'GET',
      url: `${KEYS}/pol-kp`,
      expect: ONLY_DEMO(200),
    },
    {
      name: "show demo's keypair (user_id, 2.10)",
      method: 'GET',
      url: `${KEYS}/pol-kp?user_id=demo`,
      version: '2.10',
      expect: DEMO_OR_ADMIN(200),
    },
    {
      name: "show demo's keypair (user_id, 2.75)",
      method: 'GET',
      url: `${KEYS}/pol-kp?user_id=demo`,
      version: '2.75',
      expect: DEMO_OR_ADMIN(200),
    },
    {
      name: "delete demo's keypair among one's own",
      method: 'DELETE',
      url: `${KEYS}/pol-del-own`,
      version: '2.2',
      expect: ONLY_DEMO(204),
    },
    {
      name: "delete demo's keypair (user_id, 2.10) as non-owners",
      method: 'DELETE',
      url: `${KEYS}/pol-del-admin?user_id=demo`,
      version: '2.10',
      expect: { other: 403, reader: 403, manager: 403, admin: 204 },
    },
  ],
};

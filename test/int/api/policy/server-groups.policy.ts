import type { Persona } from '../../../support/api-client';
import type { PolicySuite } from './policy-case';

const URL = '/v2.1/os-server-groups';
const ANY = { other: 200, reader: 200, member: 200, manager: 200, admin: 200 };
/** A group of project demo: readers may look, members and admins may change, another project sees nothing. */
const DEMO_GROUP = (ok: number, readerOk: boolean) => ({
  other: 404,
  reader: readerOk ? ok : 403,
  member: ok,
  manager: ok,
  admin: ok,
});
const body = (name: string) => ({ server_group: { name, policies: ['anti-affinity'] } });

export const serverGroupPolicies: PolicySuite = {
  resource: 'server-groups',
  setup: async (api) => {
    const fixtures: Record<string, string> = {};
    const make = async (key: string) => {
      const res = await api.post(URL, body(`pol-${key}`), { as: 'member' });
      fixtures[key] = res.body.server_group.id as string;
    };
    await make('shown');
    // One group per persona that may delete, so each finds its own still there.
    for (const persona of ['other', 'reader', 'member', 'manager', 'admin']) {
      await make(`del-${persona}`);
    }
    return fixtures;
  },
  cases: [
    { name: 'list', method: 'GET', url: URL, expect: ANY },
    { name: 'list all_projects', method: 'GET', url: `${URL}?all_projects=1`, expect: ANY },
    { name: 'list at 2.64', method: 'GET', url: URL, version: '2.64', expect: ANY },
    {
      name: 'create',
      method: 'POST',
      url: URL,
      body: (_: unknown, p: string) => body(`pol-new-${p}`),
      expect: { other: 200, reader: 403, member: 200, manager: 200, admin: 200 },
    },
    {
      name: 'create at 2.64',
      method: 'POST',
      url: URL,
      version: '2.64',
      body: (_: unknown, p: string) => ({
        server_group: { name: `pol-264-${p}`, policy: 'soft-affinity' },
      }),
      expect: { other: 200, reader: 403, member: 200, manager: 200, admin: 200 },
    },
    {
      name: 'show',
      method: 'GET',
      url: (fx) => `${URL}/${fx['shown']}`,
      expect: DEMO_GROUP(200, true),
    },
    {
      name: 'show with the project in the URL',
      method: 'GET',
      url: (fx, p: Persona) =>
        `/v2.1/${p === 'admin' ? 'admin' : p === 'other' ? 'other' : 'demo'}/os-server-groups/${fx['shown']}`,
      expect: DEMO_GROUP(200, true),
    },
    {
      name: 'delete',
      method: 'DELETE',
      url: (fx, p: Persona) => `${URL}/${fx[`del-${p}`]}`,
      expect: DEMO_GROUP(204, false),
    },
  ],
};

import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { POLICY_SUITES } from './policy';
import { PERSONA_ORDER, type Fixtures } from './policy/policy-case';

/** Every route as admin, project member, project reader, manager and another project's member. */
describe.each(POLICY_SUITES.map((s) => [s.resource, s] as const))('policy: %s', (_name, suite) => {
  let d: TestDeployment;
  let api: ApiClient;
  let fixtures: Fixtures = {};

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    api = await ApiClient.start(d.sections);
    fixtures = (await suite.setup?.(api)) ?? {};
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  it.each(suite.cases.map((c) => [c.name, c] as const))('%s', async (_case, c) => {
    for (const persona of PERSONA_ORDER) {
      const expected = c.expect[persona];
      if (expected === undefined) {
        continue;
      }
      const url = typeof c.url === 'function' ? c.url(fixtures, persona) : c.url;
      const body =
        typeof c.body === 'function'
          ? (c.body as (f: Fixtures, p: string) => unknown)(fixtures, persona)
          : c.body;
      const res = await api.request(c.method, url, {
        as: persona,
        ...(body !== undefined ? { body } : {}),
        ...(c.version ? { version: c.version } : {}),
      });
      expect({ persona, status: res.status }).toEqual({ persona, status: expected });
    }
  });
});

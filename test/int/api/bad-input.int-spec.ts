import { ApiClient, faultName } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { query } from '../../support/mysql';
import { BAD_INPUT_SUITES } from './bad-input';

/**
 * Hundreds of malformed bodies, headers, query strings and microversions across
 * the routes: each gets a 4xx with the right fault name, and writes nothing
 * (every table of the API and cell databases keeps its checksum). No 500s.
 */
describe('bad input', () => {
  let d: TestDeployment;
  let api: ApiClient;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    api = await ApiClient.start(d.sections);
    for (const suite of BAD_INPUT_SUITES) {
      await suite.setup?.(api);
    }
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  async function checksums(): Promise<string> {
    const parts: string[] = [];
    for (const db of [d.dbName('api'), d.dbName('cell1')]) {
      const tables = await query<{ t: string }>(
        db,
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name',
      );
      const sums = await query<{ Table: string; Checksum: number }>(
        db,
        `CHECKSUM TABLE ${tables.map((r) => `\`${r.t}\``).join(', ')}`,
      );
      parts.push(...sums.map((s) => `${s.Table}=${s.Checksum}`));
    }
    return parts.join(';');
  }

  it('has at least 300 cases', () => {
    expect(BAD_INPUT_SUITES.reduce((n, s) => n + s.cases.length, 0)).toBeGreaterThanOrEqual(300);
  });

  describe.each(BAD_INPUT_SUITES.map((s) => [s.resource, s] as const))('%s', (_name, suite) => {
    it.each(suite.cases.map((c) => [c.name, c] as const))('%s', async (_case, c) => {
      const before = await checksums();
      const res = await api.request(c.method, c.url, {
        as: c.as ?? 'admin',
        ...(c.body !== undefined ? { body: c.body } : {}),
        ...(c.raw !== undefined ? { raw: c.raw } : {}),
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.version ? { version: c.version } : {}),
      });
      expect({ status: res.status, fault: faultName(res.body) }).toEqual({
        status: c.status,
        fault: c.fault,
      });
      expect(await checksums()).toBe(before);
    });
  });
});

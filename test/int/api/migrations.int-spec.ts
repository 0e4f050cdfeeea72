import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { HostSeed } from '../../support/host-seed';

type Row = Record<string, unknown>;
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute, 0));

/** GET /os-migrations across two cells (and two dead ones), MariaDB + Redis. */
describe('os-migrations API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let closeDead: () => void;
  const uuids: Record<string, string> = {};

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1', 'cell2'] });
    api = await ApiClient.start({
      ...d.sections,
      cells: { ...d.sections['cells'], cell_list_timeout: '0.5' },
    });
    const seed = new HostSeed(api);
    const add = async (name: string, cell: string, minute: number, fields: Row = {}) => {
      uuids[name] = await seed.migration(cell, {
        instance_uuid: `00000000-0000-4000-8000-0000000000${String(minute).padStart(2, '0')}`,
        source_compute: `src-${name}`,
        dest_compute: `dst-${name}`,
        source_node: `src-${name}`,
        dest_node: `dst-${name}`,
        dest_host: '192.0.2.1',
        old_instance_type_id: 1,
        new_instance_type_id: 2,
        created_at: at(minute),
        updated_at: at(minute),
        ...fields,
      });
    };
    await add('resize', 'cell1', 1, { migration_type: 'resize', status: 'confirmed' });
    await add('cold', 'cell2', 2, { status: 'finished' });
    await add('live', 'cell1', 3, {
      migration_type: 'live-migration',
      status: 'running',
      source_compute: 'shared',
    });
    await add('evac', 'cell2', 4, {
      migration_type: 'evacuation',
      status: 'done',
      dest_compute: 'shared',
      project_id: 'other',
      user_id: 'other',
    });
    await add('hidden', 'cell2', 5, { hidden: true });
    await add('gone', 'cell1', 6, { deleted: 1 });
    closeDead = (await seed.deadCells([])).close;
  });

  afterAll(async () => {
    closeDead?.();
    await api.close();
    await d.cleanup();
  });

  const list = async (
    query = '',
    version = '2.1',
    as: 'admin' | 'member' | 'manager' = 'admin',
  ) => {
    const res = await api.get(`/v2.1/os-migrations${query}`, { version, as });
    expect(res.status === 200 ? 200 : res.text).toBe(200);
    return res.body as { migrations: Row[]; migrations_links?: Array<{ href: string }> };
  };
  const names = (rows: Row[]) =>
    rows.map(
      (r) => Object.keys(uuids).find((k) => `dst-${k}` === r['dest_node']) ?? r['dest_node'],
    );

  it('lists every cell that answers, newest first, without hidden or deleted moves', async () => {
    const body = await list();
    expect(names(body.migrations)).toEqual(['evac', 'live', 'cold', 'resize']);
    expect(body.migrations[3]).toEqual({
      id: expect.any(Number),
      source_node: 'src-resize',
      dest_node: 'dst-resize',
      source_compute: 'src-resize',
      dest_compute: 'dst-resize',
      dest_host: '192.0.2.1',
      status: 'confirmed',
      instance_uuid: '00000000-0000-4000-8000-000000000001',
      old_instance_type_id: 1,
      new_instance_type_id: 2,
      created_at: '2026-12-01T10:01:00.000000',
      updated_at: '2026-12-01T10:01:00.000000',
    });
  });

  it('adds migration_type from 2.23, and links for a live migration in progress', async () => {
    const rows = (await list('', '2.23')).migrations;
    expect(rows.map((r) => r['migration_type'])).toEqual([
      'evacuation',
      'live-migration',
      'migration',
      'resize',
    ]);
    const live = rows[1];
    expect(live['links']).toEqual([
      {
        rel: 'self',
        href: `http://localhost:80/v2.1/servers/${String(live['instance_uuid'])}/migrations/${String(live['id'])}`,
      },
      {
        rel: 'bookmark',
        href: `http://localhost:80/servers/${String(live['instance_uuid'])}/migrations/${String(live['id'])}`,
      },
    ]);
    expect(rows.filter((r) => 'links' in r)).toHaveLength(1);
    expect(rows[0]).not.toHaveProperty('uuid');
  });

  it('filters by host (source or destination), status, type and instance', async () => {
    expect(names((await list('?host=shared')).migrations)).toEqual(['evac', 'live']);
    expect(names((await list('?source_compute=shared')).migrations)).toEqual(['live']);
    expect(names((await list('?status=finished')).migrations)).toEqual(['cold']);
    expect(names((await list('?migration_type=resize')).migrations)).toEqual(['resize']);
    expect(
      names((await list('?instance_uuid=00000000-0000-4000-8000-000000000002')).migrations),
    ).toEqual(['cold']);
    // Before 2.59 unknown parameters are ignored, changes-since among them.
    expect(names((await list('?bogus=1&changes-since=2030-01-01')).migrations)).toHaveLength(4);
  });

  it('pages by uuid from 2.59, across cells, with migrations_links', async () => {
    const first = await list('?limit=2', '2.59');
    expect(names(first.migrations)).toEqual(['evac', 'live']);
    expect(first.migrations[0]['uuid']).toBe(uuids['evac']);
    const next = first.migrations_links?.[0]?.href ?? '';
    expect(next).toBe(`http://localhost:80/v2.1/os-migrations?limit=2&marker=${uuids['live']}`);
    const second = await list(`?limit=2&marker=${uuids['live']}`, '2.59');
    expect(names(second.migrations)).toEqual(['cold', 'resize']);
    const third = await list(`?limit=2&marker=${uuids['resize']}`, '2.59');
    expect(third.migrations).toEqual([]);
    expect(third).not.toHaveProperty('migrations_links');
    expect(names((await list('?changes-since=2026-12-01T10:02:30Z', '2.59')).migrations)).toEqual([
      'evac',
      'live',
    ]);
  });

  it('filters by changes-before from 2.66 and by user and project from 2.80', async () => {
    expect(names((await list('?changes-before=2026-12-01T10:02:00Z', '2.66')).migrations)).toEqual([
      'cold',
      'resize',
    ]);
    const owned = await list('?project_id=other', '2.80');
    expect(names(owned.migrations)).toEqual(['evac']);
    expect(owned.migrations[0]).toMatchObject({ user_id: 'other', project_id: 'other' });
    expect(names((await list('?user_id=demo', '2.80')).migrations)).toEqual([
      'live',
      'cold',
      'resize',
    ]);
  });

  it('answers 400 for a bad query from 2.59 and an unknown marker', async () => {
    const bad = async (query: string, version: string, message: RegExp) => {
      const res = await api.get(`/v2.1/os-migrations${query}`, { version });
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toMatch(message);
    };
    await bad(
      '?bogus=1',
      '2.59',
      /Additional properties are not allowed \('bogus' was unexpected\)/,
    );
    await bad('?limit=-1', '2.59', /Invalid input for query parameters limit/);
    await bad('?changes-since=yesterday', '2.59', /is not a 'date-time'/);
    await bad('?changes-before=2026-01-01', '2.59', /Additional properties/);
    await bad('?project_id=demo', '2.79', /Additional properties/);
    await bad(
      '?changes-since=2026-12-02T00:00:00Z&changes-before=2026-12-01T00:00:00Z',
      '2.66',
      /changes-since must be less than or equal to changes-before/,
    );
    await bad(
      '?marker=00000000-0000-4000-8000-00000000dead',
      '2.59',
      /Marker .* could not be found/,
    );
  });

  it('shows a project manager only its project, without hosts; a member is refused', async () => {
    const rows = (await list('', '2.80', 'manager')).migrations;
    expect(names(rows.map((r) => ({ ...r, dest_node: r['instance_uuid'] })))).toHaveLength(3);
    expect(new Set(rows.map((r) => r['project_id']))).toEqual(new Set(['demo']));
    expect(rows.every((r) => r['source_compute'] === null && r['dest_node'] === null)).toBe(true);
    const member = await api.get('/v2.1/os-migrations', { as: 'member' });
    expect(member.status).toBe(403);
    expect(member.body.forbidden.message).toContain('os_compute_api:os-migrations:index');
  });
});

import { ApiVersion } from '../../http/api-version';
import type { Query } from '../../http/query';
import { parseIsoTime } from './list-query-time';
import { parseServerListQuery, type ServerListQueryOptions } from './list-query';

const MEMBER: ServerListQueryOptions = { isAdmin: false, maxLimit: 1000 };
const ADMIN: ServerListQueryOptions = { isAdmin: true, maxLimit: 1000 };
const DEFAULT_SORT = [
  { key: 'created_at', dir: 'desc' },
  { key: 'uuid', dir: 'desc' },
];

const parse = (query: Query, version = '2.1', options = MEMBER) =>
  parseServerListQuery(query, ApiVersion.parse(version), options);

function failure(query: Query, version = '2.1', options = MEMBER): [number, string] {
  try {
    parse(query, version, options);
  } catch (e) {
    return [(e as { code: number }).code, (e as Error).message];
  }
  throw new Error('expected a failure');
}

describe('parseServerListQuery', () => {
  it('defaults: own project, live servers, created_at desc, max_limit', () => {
    expect(parse({})).toEqual({
      allTenants: false,
      sort: DEFAULT_SORT,
      limit: 1000,
      deleted: false,
      downCellMinimal: false,
    });
    expect(parse({}, '2.69').downCellMinimal).toBe(true);
    expect(parse({ all_tenants: '1' }, '2.69', ADMIN).downCellMinimal).toBe(true);
    expect(parse({ limit: '5' }, '2.69').downCellMinimal).toBe(false);
  });

  it('pages with limit (capped) and marker', () => {
    expect(parse({ limit: '10', marker: 'abc' })).toMatchObject({ limit: 10, marker: 'abc' });
    expect(parse({ limit: '5000' }, '2.1', { ...MEMBER, maxLimit: 100 }).limit).toBe(100);
    expect(failure({ limit: 'x' })[0]).toBe(400);
    expect(failure({ limit: '-1' })[0]).toBe(400);
  });

  it('reads public filters for everyone', () => {
    expect(
      parse({
        name: '^web',
        image: 'img',
        flavor: '1',
        ip: '10\\.0',
        reservation_id: 'r-1',
        'changes-since': '2026-01-01T00:00:00Z',
      }),
    ).toMatchObject({
      name: '^web',
      image: 'img',
      flavor: '1',
      ip: '10\\.0',
      reservationId: 'r-1',
      changesSince: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('drops admin-only and not-yet filters for members, silently', () => {
    const q = parse({ host: 'c1', node: 'n', uuid: 'u', ip6: '::', deleted: 'true', user_id: 'x' });
    expect(q).toEqual({
      allTenants: false,
      sort: DEFAULT_SORT,
      limit: 1000,
      deleted: false,
      downCellMinimal: false,
    });
    expect(parse({ ip6: '::1' }, '2.5').ip6).toBe('::1');
    expect(parse({ key_name: 'k', user_id: 'u', vm_state: 'active' }, '2.83')).toMatchObject({
      keyName: 'k',
      userId: 'u',
      vmStates: ['active'],
    });
    expect(parse({ hostname: 'h' }, '2.89')).not.toHaveProperty('hostname');
    expect(parse({ hostname: 'h' }, '2.90').hostname).toBe('h');
    expect(parse({ description: 'd' }, '2.93')).not.toHaveProperty('description');
  });

  it('keeps every filter for admins, with Nova aliases', () => {
    expect(
      parse(
        {
          host: 'c1',
          node: 'n1',
          uuid: 'u1',
          display_name: 'x',
          display_description: 'd',
          image_ref: 'i',
          kernel_id: 'k',
          power_state: '1',
          launched_at: '2026',
        },
        '2.1',
        ADMIN,
      ),
    ).toMatchObject({
      host: 'c1',
      node: 'n1',
      uuids: ['u1'],
      name: 'x',
      description: 'd',
      image: 'i',
      regex: { kernel_id: 'k', power_state: '1', launched_at: '2026' },
    });
    expect(failure({ metadata: 'x' }, '2.1', ADMIN)).toEqual([
      400,
      'Invalid filter field: metadata.',
    ]);
    expect(failure({ _secret: 'x' }, '2.1', ADMIN)).toEqual([
      400,
      'Invalid filter field: _secret.',
    ]);
    expect(parse({ metadata: 'x', _secret: 'y' })).not.toHaveProperty('regex');
  });

  it('lets allow_all_filters be granted apart from admin', () => {
    expect(parse({ host: 'c1' }, '2.1', { ...MEMBER, allowAllFilters: true }).host).toBe('c1');
    expect(parse({ host: 'c1' }, '2.1', { ...ADMIN, allowAllFilters: false })).not.toHaveProperty(
      'host',
    );
  });

  it('scopes projects only with all_tenants', () => {
    expect(parse({ all_tenants: '' }, '2.1', ADMIN).allTenants).toBe(true);
    expect(parse({ all_tenants: 'True' }, '2.1', ADMIN).allTenants).toBe(true);
    expect(parse({ all_tenants: '0' }, '2.1', ADMIN).allTenants).toBe(false);
    expect(parse({ all_tenants: '1', tenant_id: 'p2' }, '2.1', ADMIN).projectId).toBe('p2');
    expect(
      parse({ all_tenants: '1', project_id: 'p3', tenant_id: 'p2' }, '2.1', ADMIN).projectId,
    ).toBe('p3');
    expect(parse({ project_id: 'p3' }, '2.1', ADMIN)).not.toHaveProperty('projectId');
    // Members may ask; the get_all_tenants policy then answers.
    expect(parse({ all_tenants: '1' }).allTenants).toBe(true);
    expect(failure({ all_tenants: 'maybe' }, '2.1', ADMIN)).toEqual([
      400,
      "Invalid input received: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
    ]);
  });

  it('maps status to vm and task states', () => {
    expect(parse({ status: 'ACTIVE' })).toMatchObject({ vmStates: ['active'] });
    expect(parse({ status: 'ACTIVE' })).not.toHaveProperty('taskStates');
    expect(parse({ status: 'reboot' })).toMatchObject({
      vmStates: ['active'],
      taskStates: ['reboot_pending', 'reboot_started', 'rebooting'],
    });
    expect(parse({ status: ['SHUTOFF', 'PAUSED'] }).vmStates).toEqual(['paused', 'stopped']);
    expect(parse({ status: 'MIGRATING' })).toMatchObject({
      vmStates: ['active', 'paused'],
      taskStates: ['migrating'],
    });
    // status overrides vm_state given alongside.
    expect(parse({ status: 'ERROR', vm_state: 'active' }, '2.1', ADMIN).vmStates).toEqual([
      'error',
    ]);
  });

  it('answers unknown statuses with nothing before 2.38 and 400 after', () => {
    expect(parse({ status: 'BOGUS' }, '2.37').matchesNothing).toBe(true);
    expect(failure({ status: 'BOGUS' }, '2.38')).toEqual([400, 'Invalid status value']);
    expect(failure({ status: 'UNKNOWN' }, '2.38')).toEqual([400, 'Invalid status value']);
  });

  it('lists deleted servers for admins only', () => {
    expect(parse({ status: 'DELETED' }, '2.1', ADMIN)).toMatchObject({
      vmStates: ['deleted'],
      deleted: true,
    });
    expect(failure({ status: 'DELETED' })).toEqual([
      403,
      'Only administrators may list deleted instances',
    ]);
    expect(parse({ deleted: 'true' }, '2.1', ADMIN).deleted).toBe(true);
    expect(parse({ deleted: 'nonsense' }, '2.1', ADMIN).deleted).toBe(false);
    expect(parse({ soft_deleted: 'yes' }, '2.1', ADMIN).softDeleted).toBe(true);
  });

  it('includes deleted servers with changes-since/-before and checks their order', () => {
    expect(parse({ 'changes-since': '2026-01-01' })).not.toHaveProperty('deleted');
    expect(parse({ 'changes-before': '2026-01-01' }, '2.66')).toMatchObject({
      changesBefore: new Date('2026-01-01T00:00:00Z'),
    });
    expect(parse({ 'changes-before': 'x' }, '2.65')).toMatchObject({ deleted: false });
    expect(failure({ 'changes-since': 'yesterday' })).toEqual([
      400,
      "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'",
    ]);
    expect(
      failure(
        { 'changes-since': '2026-02-01T00:00:00Z', 'changes-before': '2026-01-01T00:00:00Z' },
        '2.66',
      ),
    ).toEqual([400, 'The value of changes-since must be less than or equal to changes-before.']);
  });

  it('reads tag filters from 2.26 and locked from 2.73', () => {
    expect(parse({ tags: 'a,b', 'not-tags-any': 'c' }, '2.25')).not.toHaveProperty('tags');
    expect(
      parse({ tags: 'a,b', 'tags-any': 'x', 'not-tags': 'c', 'not-tags-any': 'd,e' }, '2.26'),
    ).toMatchObject({ tags: ['a', 'b'], tagsAny: ['x'], notTags: ['c'], notTagsAny: ['d', 'e'] });
    expect(parse({ locked: 'true' }, '2.72')).not.toHaveProperty('locked');
    expect(parse({ locked: 'False' }, '2.73').locked).toBe(false);
    expect(failure({ locked: 'x' }, '2.73')).toEqual([
      400,
      "Unrecognized value 'x', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
    ]);
  });

  it('refuses unknown parameters from 2.75 only', () => {
    expect(parse({ bogus: '1' }, '2.74')).toMatchObject({ allTenants: false });
    expect(failure({ bogus: '1' }, '2.75')).toEqual([
      400,
      "Invalid input for query parameters bogus. Value: 1. Additional properties are not allowed ('bogus' was unexpected)",
    ]);
    expect(parse({ host: 'c1' }, '2.75')).not.toHaveProperty('host');
  });

  describe('sorting', () => {
    it('pairs keys and directions, defaulting to desc and the first direction', () => {
      expect(parse({ sort_key: 'display_name' }).sort).toEqual([
        { key: 'display_name', dir: 'desc' },
        { key: 'created_at', dir: 'desc' },
        { key: 'uuid', dir: 'desc' },
      ]);
      expect(parse({ sort_key: ['display_name', 'vm_state'], sort_dir: 'asc' }).sort).toEqual([
        { key: 'display_name', dir: 'asc' },
        { key: 'vm_state', dir: 'asc' },
        { key: 'created_at', dir: 'asc' },
        { key: 'uuid', dir: 'asc' },
      ]);
      expect(parse({ sort_dir: 'asc' }).sort).toEqual([
        { key: 'created_at', dir: 'asc' },
        { key: 'uuid', dir: 'asc' },
      ]);
    });

    it('ignores the old keys (and their direction) before 2.75, 400 from it', () => {
      expect(parse({ sort_key: ['id', 'display_name'], sort_dir: ['asc', 'desc'] }).sort).toEqual([
        { key: 'display_name', dir: 'desc' },
        { key: 'created_at', dir: 'desc' },
        { key: 'uuid', dir: 'desc' },
      ]);
      expect(parse({ sort_key: 'locked' }, '2.72').sort).toEqual(DEFAULT_SORT);
      expect(parse({ sort_key: 'locked', sort_dir: 'asc' }, '2.73').sort[0]).toEqual({
        key: 'locked',
        dir: 'asc',
      });
      const [code, message] = failure({ sort_key: 'id' }, '2.75');
      expect(code).toBe(400);
      expect(message).toMatch(
        /^Invalid input for query parameters sort_key\. Value: id\. 'id' is not one of \['access_ip_v4', /,
      );
      expect(failure({ sort_key: 'bogus' })[1]).toMatch(/'bogus' is not one of/);
    });

    it('keeps host and node for admins', () => {
      expect(failure({ sort_key: 'host' })).toEqual([
        403,
        'Only administrators can sort servers by host',
      ]);
      expect(parse({ sort_key: 'node' }, '2.1', ADMIN).sort[0]).toEqual({
        key: 'node',
        dir: 'desc',
      });
    });

    it('checks directions', () => {
      expect(failure({ sort_dir: 'up' })).toEqual([
        400,
        "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'",
      ]);
      expect(failure({ sort_key: 'display_name', sort_dir: ['asc', 'desc'] })).toEqual([
        400,
        'Invalid input received: Sort direction size exceeds sort key size',
      ]);
    });
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02T03:04:05', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02 03:04:05.123456', '2026-01-02T03:04:05.123Z'],
    ['2026-01-02T03:04:05+02:00', '2026-01-02T01:04:05.000Z'],
    ['2026-01-02T03:04-0130', '2026-01-02T04:34:00.000Z'],
    ['2026-01-02', '2026-01-02T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseIsoTime(text)?.toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2026-02-30', '2026-01-02T25:00:00', '2026/01/02'])(
    'refuses %j',
    (text) => {
      expect(parseIsoTime(text)).toBeNull();
    },
  );
});

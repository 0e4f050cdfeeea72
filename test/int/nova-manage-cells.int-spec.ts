import { CELL0_UUID } from '@nova/api-db';
import { latestVersion } from '@nova/database';
import { API_MIGRATIONS } from '@nova/migrations/api';
import { CELL_MIGRATIONS } from '@nova/migrations/cell';
import { TestDeployment, type Backend } from '../support/deployment';
import { manage, manageOk } from '../support/manage';
import { freePort } from '../support/redis';

/** nova-manage api_db, db and the cell_v2 verbs that manage cell mappings. */
describe.each<Backend>(['mariadb', 'sqlite'])('nova-manage cell mappings (%s)', (backend) => {
  let d: TestDeployment;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend, cells: ['cell1'] });
  });

  afterAll(async () => {
    await d.cleanup();
  });

  const cellUuid = async (name: string): Promise<string> => {
    const { out } = await manage(d.sections, 'cell_v2', 'list_cells');
    const row = out
      .split('\n')
      .map((line) => line.split('|').map((c) => c.trim()))
      .find((cols) => cols[1] === name);
    return row?.[2] ?? '';
  };

  describe('api_db and db', () => {
    it('syncs idempotently and reports the version', async () => {
      expect(await manage(d.sections, 'api_db', 'sync')).toMatchObject({ code: 0, out: '' });
      expect(await manage(d.sections, 'api_db', 'version')).toMatchObject({
        code: 0,
        out: String(latestVersion(API_MIGRATIONS)),
      });
      expect(await manage(d.sections, 'db', 'sync')).toMatchObject({ code: 0, out: '' });
      expect(await manage(d.sections, 'db', 'version')).toMatchObject({
        code: 0,
        out: String(latestVersion(CELL_MIGRATIONS)),
      });
      expect(
        await manage(
          d.sections,
          'db',
          'sync',
          '--local_cell',
          String(latestVersion(CELL_MIGRATIONS)),
        ),
      ).toMatchObject({
        code: 0,
      });
    });

    it('rejects a version that is not an integer, or that does not exist', async () => {
      expect(await manage(d.sections, 'api_db', 'sync', 'abc')).toEqual({
        code: 255,
        out: 'version should be an integer',
        err: '',
      });
      expect(await manage(d.sections, 'api_db', 'sync', '99')).toMatchObject({
        code: 255,
        out: expect.stringContaining('No migration for version 99'),
      });
      expect(await manage(d.sections, 'db', 'sync', '--local_cell', 'abc')).toMatchObject({
        code: 255,
        out: 'version should be an integer',
      });
    });

    it('db sync stops with exit 1 and the cell0 checklist when cell0 cannot be reached', async () => {
      const other = await TestDeployment.create({ backend, cells: [] });
      try {
        const dead =
          backend === 'mariadb'
            ? `mysql+pymysql://root@127.0.0.1:${await freePort()}/nope`
            : 'sqlite:////dev/null/nope/cell0.sqlite';
        await manageOk(other.sections, 'cell_v2', 'delete_cell', '--cell_uuid', CELL0_UUID);
        await manageOk(other.sections, 'cell_v2', 'map_cell0', '--database_connection', dead);
        const result = await manage(other.sections, 'db', 'sync');
        expect(result.code).toBe(1);
        expect(result.out).toMatch(/^ERROR: Could not access cell0\.\n/);
        expect(result.out).toMatch(/\nError: .+$/);
        expect(result.out).not.toMatch(/\n\s+at /); // no stack trace
      } finally {
        await other.cleanup();
      }
    });

    it('db sync warns when there is no cell0 mapping, and still syncs the rest', async () => {
      const other = await TestDeployment.create({ backend, cells: [] });
      try {
        await manageOk(other.sections, 'cell_v2', 'delete_cell', '--cell_uuid', CELL0_UUID);
        expect(await manage(other.sections, 'db', 'sync')).toEqual({
          code: 0,
          out: 'WARNING: cell0 mapping not found - not syncing cell0.',
          err: '',
        });
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('map_cell0', () => {
    it('is idempotent, and derives the cell0 URL from [database] connection', async () => {
      expect(await manage(d.sections, 'cell_v2', 'map_cell0')).toEqual({
        code: 0,
        out: 'Cell0 is already setup',
        err: '',
      });
      const other = await TestDeployment.create({ backend, cells: [] });
      try {
        await manageOk(other.sections, 'cell_v2', 'delete_cell', '--cell_uuid', CELL0_UUID);
        const local = other.dbUrl('nova');
        expect(
          await manage(
            { ...other.sections, database: { connection: local } },
            'cell_v2',
            'map_cell0',
          ),
        ).toEqual({ code: 0, out: '', err: '' });
        const { out } = await manage(other.sections, 'cell_v2', 'list_cells', '--verbose');
        expect(out).toContain(`${local}_cell0`);
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('create_cell', () => {
    it('creates a cell, prints its uuid with --verbose, and can create it disabled', async () => {
      const db = d.dbUrl('c_new');
      const result = await manage(
        d.sections,
        'cell_v2',
        'create_cell',
        '--name',
        'c_new',
        '--database_connection',
        db,
        '--transport-url',
        'rabbit://nova:s3cret@mq.example:5672/c_new',
        '--verbose',
        '--disabled',
      );
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/^[0-9a-f-]{36}$/);
      const list = await manageOk(d.sections, 'cell_v2', 'list_cells');
      const row = list.split('\n').find((l) => l.includes('c_new')) as string;
      expect(row).toContain(result.out);
      expect(row).toContain('rabbit://nova:****@mq.example:5672/c_new');
      expect(row).toMatch(/\|\s+True\s+\|$/);
    });

    it('falls back to the config URLs and says so', async () => {
      const sections = {
        ...d.sections,
        DEFAULT: {
          ...d.sections['DEFAULT'],
          transport_url: 'rabbit://guest:guest@127.0.0.1:5672/fallback',
        },
        database: { connection: d.dbUrl('c_fallback') },
      };
      const result = await manage(sections, 'cell_v2', 'create_cell', '--name', 'c_fallback');
      expect(result).toEqual({
        code: 0,
        err: '',
        out: [
          '--transport-url not provided in the command line, using the value [DEFAULT]/transport_url from the configuration file',
          '--database_connection not provided in the command line, using the value [database]/connection from the configuration file',
        ].join('\n'),
      });
    });

    it('refuses a cell whose database or queue another cell uses (exit 2)', async () => {
      const cell1 = d.cellUrls.get('cell1') as { db: string; mq: string };
      const uuid = await cellUuid('cell1');
      const sameDb = await manage(
        d.sections,
        'cell_v2',
        'create_cell',
        '--name',
        'x',
        '--database_connection',
        cell1.db,
        '--transport-url',
        'rabbit://a:b@h:5672/other',
      );
      expect(sameDb).toEqual({
        code: 2,
        err: '',
        out: `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${uuid}.`,
      });
      const sameMq = await manage(
        d.sections,
        'cell_v2',
        'create_cell',
        '--name',
        'x',
        '--database_connection',
        d.dbUrl('x'),
        '--transport-url',
        cell1.mq,
      );
      expect(sameMq.code).toBe(2);
    });

    it('refuses a duplicate name (exit 2)', async () => {
      const result = await manage(
        d.sections,
        'cell_v2',
        'create_cell',
        '--name',
        'cell1',
        '--database_connection',
        d.dbUrl('dupname'),
        '--transport-url',
        'rabbit://a:b@h:5672/dupname',
      );
      expect(result).toEqual({
        code: 2,
        err: '',
        out: `A cell named cell1 already exists with uuid ${await cellUuid('cell1')}.`,
      });
    });

    it('needs a transport URL and a valid one (exit 1)', async () => {
      const noMq = { ...d.sections, DEFAULT: { ...d.sections['DEFAULT'], transport_url: '' } };
      expect(
        await manage(noMq, 'cell_v2', 'create_cell', '--database_connection', d.dbUrl('y')),
      ).toEqual({
        code: 1,
        err: '',
        out: 'Must specify --transport-url if [DEFAULT]/transport_url is not set in the configuration file.',
      });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'create_cell',
          '--database_connection',
          d.dbUrl('y'),
          '--transport-url',
          'controller:5672',
        ),
      ).toEqual({
        code: 1,
        err: '',
        out: 'Invalid transport URL: No scheme specified',
      });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'create_cell',
          '--database_connection',
          d.dbUrl('y'),
          '--transport-url',
          'rabbit://u:p@h:abc/',
        ),
      ).toEqual({
        code: 1,
        err: '',
        out: "Invalid transport URL: invalid literal for int() with base 10: 'abc'",
      });
    });

    it('needs a usable database URL (exit 1)', async () => {
      const noDb = { ...d.sections, database: { connection: '' } };
      expect(
        await manage(noDb, 'cell_v2', 'create_cell', '--transport-url', 'rabbit://a:b@h:5672/z'),
      ).toEqual({
        code: 1,
        err: '',
        out: 'Must specify --database_connection if [database]/connection is not set in the configuration file.',
      });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'create_cell',
          '--transport-url',
          'rabbit://a:b@h:5672/z',
          '--database_connection',
          'postgresql://h/db',
        ),
      ).toEqual({
        code: 1,
        err: '',
        out: "Invalid database connection URL: unsupported scheme 'postgresql'",
      });
    });

    if (backend === 'mariadb') {
      it('refuses an unreachable database server (exit 1, one line)', async () => {
        const port = await freePort();
        const result = await manage(
          d.sections,
          'cell_v2',
          'create_cell',
          '--transport-url',
          'rabbit://a:b@h:5672/z',
          '--database_connection',
          `mysql+pymysql://nova:pw@127.0.0.1:${port}/nova`,
        );
        expect(result.code).toBe(1);
        expect(result.out).toBe(
          `Cannot connect to database mysql+pymysql://nova:****@127.0.0.1:${port}/nova: connect ECONNREFUSED 127.0.0.1:${port}`,
        );
      });
    }
  });

  describe('list_cells', () => {
    it('masks passwords unless --verbose, sorted by name', async () => {
      const masked = await manageOk(d.sections, 'cell_v2', 'list_cells');
      const lines = masked.split('\n');
      expect(lines[1]).toMatch(
        /^\|\s+Name\s+\|\s+UUID\s+\|\s+Transport URL\s+\|\s+Database Connection\s+\|\s+Disabled\s+\|$/,
      );
      const names = lines.slice(3, -1).map((l) => (l.split('|')[1] ?? '').trim());
      expect(names).toEqual([...names].sort());
      expect(masked).not.toContain('s3cret');
      expect(await manageOk(d.sections, 'cell_v2', 'list_cells', '--verbose')).toContain(
        'rabbit://nova:s3cret@mq.example:5672/c_new',
      );
    });
  });

  describe('update_cell', () => {
    it('changes only the values given', async () => {
      const uuid = await cellUuid('c_new');
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'update_cell',
          '--cell_uuid',
          uuid,
          '--name',
          'c_renamed',
        ),
      ).toEqual({ code: 0, out: '', err: '' });
      const row = (await manageOk(d.sections, 'cell_v2', 'list_cells', '--verbose'))
        .split('\n')
        .find((l) => l.includes(uuid)) as string;
      expect(row).toContain('c_renamed');
      expect(row).toContain('rabbit://nova:s3cret@mq.example:5672/c_new'); // untouched
    });

    it('enables and disables, and says when there is nothing to do', async () => {
      const uuid = await cellUuid('c_renamed');
      expect(
        await manage(d.sections, 'cell_v2', 'update_cell', '--cell_uuid', uuid, '--enable'),
      ).toEqual({ code: 0, out: '', err: '' });
      expect(
        await manage(d.sections, 'cell_v2', 'update_cell', '--cell_uuid', uuid, '--enable'),
      ).toEqual({ code: 0, out: `Cell ${uuid} is already enabled`, err: '' });
      expect(
        await manage(d.sections, 'cell_v2', 'update_cell', '--cell_uuid', uuid, '--disable'),
      ).toEqual({ code: 0, out: '', err: '' });
      expect(
        await manage(d.sections, 'cell_v2', 'update_cell', '--cell_uuid', uuid, '--disable'),
      ).toEqual({ code: 0, out: `Cell ${uuid} is already disabled`, err: '' });
    });

    it("reports its error cases with Nova's exit codes", async () => {
      const uuid = await cellUuid('c_renamed');
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'update_cell',
          '--cell_uuid',
          'no-such-cell',
          '--name',
          'x',
        ),
      ).toEqual({ code: 1, out: 'Cell with uuid no-such-cell was not found.', err: '' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'update_cell',
          '--cell_uuid',
          uuid,
          '--transport-url',
          'bad',
        ),
      ).toEqual({ code: 2, out: 'Invalid transport URL: No scheme specified', err: '' });
      const cell1 = d.cellUrls.get('cell1') as { db: string; mq: string };
      expect(
        (
          await manage(
            d.sections,
            'cell_v2',
            'update_cell',
            '--cell_uuid',
            uuid,
            '--database_connection',
            cell1.db,
          )
        ).code,
      ).toBe(3);
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'update_cell',
          '--cell_uuid',
          uuid,
          '--enable',
          '--disable',
        ),
      ).toEqual({ code: 4, out: 'Cell cannot be disabled and enabled at the same time.', err: '' });
      expect(
        await manage(d.sections, 'cell_v2', 'update_cell', '--cell_uuid', CELL0_UUID, '--disable'),
      ).toEqual({ code: 5, out: 'Cell0 cannot be disabled.', err: '' });
      expect((await manage(d.sections, 'cell_v2', 'update_cell')).code).toBe(2); // --cell_uuid is required
    });
  });

  describe('delete_cell', () => {
    it('deletes an empty cell, and says when the cell does not exist', async () => {
      const uuid = await cellUuid('c_renamed');
      expect(await manage(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', uuid)).toEqual({
        code: 0,
        out: '',
        err: '',
      });
      expect(await manage(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', uuid)).toEqual({
        code: 1,
        out: `Cell with uuid ${uuid} was not found.`,
        err: '',
      });
    });
  });

  describe('usage and unexpected errors', () => {
    it('exits 2 on usage errors, printing to stderr', async () => {
      for (const argv of [
        ['cell_v2', 'bogus'],
        ['cell_v2', 'list_cells', '--bogus'],
        ['nope'],
        ['cell_v2', 'delete_cell'],
      ]) {
        const result = await manage(d.sections, ...argv);
        expect(result.code).toBe(2);
        expect(result.err).toMatch(/error:/);
      }
    });

    it('exits 0 for --help and --version', async () => {
      expect((await manage(d.sections, '--help')).code).toBe(0);
      expect(await manage(d.sections, '--version')).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      });
    });

    it('exits 1 with one message naming the option when the config is bad', async () => {
      const result = await manage(
        {
          ...d.sections,
          database: { connection: 'mysql://nova:hunter2@h/db', max_pool_size: 'many' },
        },
        'cell_v2',
        'list_cells',
      );
      expect(result).toEqual({
        code: 1,
        out: '',
        err: "Invalid value for option [database] max_pool_size = 'many': must be an integer",
      });
    });

    it('exits 255 with one line, never a stack trace, when the API database is unreachable', async () => {
      const dead =
        backend === 'mariadb'
          ? `mysql://root:pw@127.0.0.1:${await freePort()}/nova_api`
          : 'sqlite:////dev/null/nope/api.sqlite';
      const result = await manage(
        { ...d.sections, api_database: { connection: dead } },
        'cell_v2',
        'list_cells',
      );
      expect(result.code).toBe(255);
      expect(result.out.split('\n')).toHaveLength(1);
      expect(result.out).toMatch(/^An error has occurred: /);
      expect(result.out).not.toContain('pw@');
    });
  });
});

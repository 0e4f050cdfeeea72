import { join } from 'node:path';
import { packageRoot } from './config-files';
import { loadConfig } from './load-config';

const sample = (...path: string[]) => join(packageRoot(), 'config', ...path);

/** The shipped configs load and say what their comments say. */
describe('sample configs', () => {
  it('the embedded default and the MariaDB sample are valid', () => {
    expect(loadConfig({ files: [sample('nova.conf')], env: {} }).DEFAULT.transport_url).toBe(
      'inproc://nova',
    );
    expect(loadConfig({ files: [sample('nova-mariadb.conf.sample')], env: {} }).cache.enabled).toBe(
      true,
    );
  });

  describe('three cells (config/three-cells)', () => {
    const api = sample('three-cells', 'nova.conf.sample');

    it('the API level uses its own vhost, cell0 as its local database and discovers hosts', () => {
      const config = loadConfig({ files: [api], env: {} });
      expect(config.DEFAULT.transport_url).toMatch(/\/nova_api$/);
      expect(config.database.connection).toMatch(/\/nova_cell0\?/);
      expect(config.scheduler.discover_hosts_in_cells_interval).toBe(30);
    });

    it.each([1, 2, 3])(
      'cell%i: its conductor layers its queue and database over nova.conf',
      (n) => {
        const config = loadConfig({
          files: [api, sample('three-cells', `cell${n}.conf.sample`)],
          env: {},
        });
        expect(config.DEFAULT.host).toBe(`cell${n}-conductor`);
        expect(config.DEFAULT.transport_url).toMatch(new RegExp(`/nova_cell${n}$`));
        expect(config.database.connection).toMatch(new RegExp(`/nova_cell${n}\\?`));
        expect(config.api_database.connection).toMatch(/\/nova_api\?/);
        expect(config.cache.enabled).toBe(true);
      },
    );

    it.each([1, 2, 3])('cell%i: its compute has the cell queue and no credentials', (n) => {
      const config = loadConfig({
        files: [sample('three-cells', `compute-cell${n}.conf.sample`)],
        env: {},
      });
      expect(config.DEFAULT.transport_url).toMatch(new RegExp(`/nova_cell${n}$`));
      expect(config.database.connection).toBeUndefined();
      expect(config.api_database.connection).toBeUndefined();
      expect(config.cache.enabled).toBe(false);
      expect(config.compute.compute_driver).toBe('fake.FakeDriver');
    });
  });
});

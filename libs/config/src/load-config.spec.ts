import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { extractConfigFiles } from './config-files';
import { loadConfig } from './load-config';

function conf(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nova-conf-')), 'nova.conf');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('types values and applies Nova defaults', () => {
    const config = loadConfig({
      files: [conf('[DEFAULT]\nosapi_compute_listen_port = 9000\ndebug = yes\n')],
    });
    expect(config.DEFAULT.osapi_compute_listen_port).toBe(9000);
    expect(config.DEFAULT.debug).toBe(true);
    expect(config.api.auth_strategy).toBe('keystone');
    expect(config.cache.expiration_time).toBe(600);
  });

  it('lets later files override earlier ones, option by option', () => {
    const a = conf('[DEFAULT]\nhost = a\nstate_path = /a\n[api]\nauth_strategy = noauth2\n');
    const b = conf('[DEFAULT]\nhost = b\n');
    const config = loadConfig({ files: [a, b] });
    expect(config.DEFAULT.host).toBe('b');
    expect(config.DEFAULT.state_path).toBe('/a');
    expect(config.api.auth_strategy).toBe('noauth2');
    expect(config.files).toEqual([a, b]);
  });

  it('reads OS_<SECTION>__<OPTION> environment overrides after the files', () => {
    const config = loadConfig({
      files: [conf('[api_database]\nconnection = sqlite:////a.db\n')],
      env: { OS_API_DATABASE__CONNECTION: 'sqlite:////b.db', OS_DEFAULT__HOST: 'envhost' },
    });
    expect(config.api_database.connection).toBe('sqlite:////b.db');
    expect(config.DEFAULT.host).toBe('envhost');
  });

  it('expands $state_path and ${section.option}', () => {
    const config = loadConfig({
      files: [
        conf(
          '[DEFAULT]\nstate_path = /srv/nova\n[database]\nconnection = sqlite:///$state_path/nova.sqlite\n[api_database]\nconnection = ${database.connection}_api\n',
        ),
      ],
    });
    expect(config.database.connection).toBe('sqlite:////srv/nova/nova.sqlite');
    expect(config.api_database.connection).toBe('sqlite:////srv/nova/nova.sqlite_api');
  });

  it('makes a relative state_path absolute, also where it is interpolated', () => {
    const config = loadConfig({
      files: [
        conf(
          '[DEFAULT]\nstate_path = ./state\n[database]\nconnection = sqlite:///$state_path/nova.sqlite\n',
        ),
      ],
    });
    expect(config.DEFAULT.state_path).toBe(join(process.cwd(), 'state'));
    expect(config.database.connection).toBe(
      `sqlite:///${join(process.cwd(), 'state')}/nova.sqlite`,
    );
  });

  it('stops on a bad value with one message naming section, option and value', () => {
    expect(() =>
      loadConfig({ files: [conf('[DEFAULT]\nosapi_compute_listen_port = 99999\n')] }),
    ).toThrow(
      new ConfigError(
        "Invalid value for option [DEFAULT] osapi_compute_listen_port = '99999': osapi_compute_listen_port must not be greater than 65535",
      ),
    );
    expect(() => loadConfig({ files: [conf('[api]\nauth_strategy = magic\n')] })).toThrow(
      /\[api\] auth_strategy = 'magic'/,
    );
    expect(() => loadConfig({ files: [conf('[cache]\nenabled = maybe\n')] })).toThrow(
      "Invalid value for option [cache] enabled = 'maybe': must be a boolean (true or false)",
    );
  });

  it('takes a MySQL slave_connection on both database sections and refuses a SQLite one', () => {
    const config = loadConfig({
      files: [
        conf(
          '[database]\nslave_connection = mysql+pymysql://ro:pw@replica/nova\n[api_database]\nslave_connection = mysql://ro@replica/nova_api\n',
        ),
      ],
    });
    expect(config.database.slave_connection).toBe('mysql+pymysql://ro:pw@replica/nova');
    expect(config.api_database.slave_connection).toBe('mysql://ro@replica/nova_api');
    expect(() =>
      loadConfig({ files: [conf('[api_database]\nslave_connection = sqlite:///tmp/x.db\n')] }),
    ).toThrow(
      "Invalid value for option [api_database] slave_connection = 'sqlite:///tmp/x.db': must be a URL with scheme mysql, mysql+pymysql, mysql+mysqldb",
    );
  });

  it('masks passwords in its messages', () => {
    expect(() =>
      loadConfig({ files: [conf('[database]\nconnection = oracle://nova:hunter2@db/nova\n')] }),
    ).toThrow(
      "Invalid value for option [database] connection = 'oracle://nova:****@db/nova': must be a URL with scheme mysql, mysql+pymysql, mysql+mysqldb, sqlite",
    );
    expect(() =>
      loadConfig({ files: [conf('[cache]\nredis_password = \nredis_db = -1\n')] }),
    ).toThrow(/redis_db/);
  });

  it('reports a missing file like oslo.config', () => {
    expect(() => loadConfig({ files: ['/nonexistent/nova.conf'] })).toThrow(
      'Failed to find some config files: /nonexistent/nova.conf',
    );
  });
});

describe('extractConfigFiles', () => {
  it('takes every --config-file (both spellings) and leaves the rest', () => {
    expect(
      extractConfigFiles([
        '--config-file',
        'a.conf',
        'cell_v2',
        '--config-file=b.conf',
        'list_cells',
      ]),
    ).toEqual({
      files: ['a.conf', 'b.conf'],
      rest: ['cell_v2', 'list_cells'],
    });
    expect(() => extractConfigFiles(['--config-file'])).toThrow('expected one argument');
  });
});

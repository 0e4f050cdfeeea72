import { resolve } from 'node:path';
import { deriveCell0Url, parseSqlUrl } from './sql-url';

describe('parseSqlUrl', () => {
  it('reads SQLAlchemy MySQL URLs with any driver suffix', () => {
    expect(parseSqlUrl('mysql+pymysql://nova:p%40ss@db.example:3307/nova?charset=utf8')).toEqual({
      kind: 'mysql',
      host: 'db.example',
      port: 3307,
      user: 'nova',
      password: 'p@ss',
      database: 'nova',
    });
    expect(parseSqlUrl('mysql://root@[::1]/nova_api')).toMatchObject({
      host: '::1',
      port: 3306,
      user: 'root',
      password: '',
    });
  });

  it('reads SQLite URLs the SQLAlchemy way', () => {
    expect(parseSqlUrl('sqlite:////var/lib/nova/nova.sqlite')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/nova/nova.sqlite',
    });
    expect(parseSqlUrl('sqlite:///state/nova.sqlite')).toEqual({
      kind: 'sqlite',
      path: resolve('state/nova.sqlite'),
    });
    expect(parseSqlUrl('sqlite://')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it.each([
    ['postgresql://h/db', "unsupported scheme 'postgresql'"],
    ['mysql://h/', 'no database name'],
    ['mysql:///db', 'no host'],
    ['sqlite:relative', 'expected sqlite:///path'],
  ])('rejects %s', (url, reason) => {
    expect(() => parseSqlUrl(url)).toThrow(reason);
  });

  it('never shows the password in its errors', () => {
    expect(() => parseSqlUrl('postgresql://u:secret@h/db')).toThrow(/u:\*\*\*\*@h/);
  });
});

describe('deriveCell0Url', () => {
  it('appends _cell0 to the database name and keeps the rest', () => {
    expect(deriveCell0Url('mysql+pymysql://nova:secret@controller/nova?charset=utf8')).toBe(
      'mysql+pymysql://nova:secret@controller/nova_cell0?charset=utf8',
    );
    expect(deriveCell0Url('sqlite:////var/lib/nova/nova.sqlite')).toBe(
      'sqlite:////var/lib/nova/nova.sqlite_cell0',
    );
  });
});

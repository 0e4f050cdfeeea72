import { isAbsolute, resolve } from 'node:path';
import { InvalidUrl, maskUrl, urlScheme } from '@nova/common';

export type SqlTarget =
  | {
      readonly kind: 'mysql';
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly database: string;
    }
  | { readonly kind: 'sqlite'; readonly path: string /* ':memory:' for in-memory */ };

const MYSQL_SCHEMES = new Set(['mysql', 'mysql+pymysql', 'mysql+mysqldb', 'mysql+mysqlconnector']);

/**
 * Parse a SQLAlchemy URL as Nova stores them: `mysql+pymysql://user:pass@host:port/db?charset=utf8`
 * (any mysql driver suffix selects mysql2), `sqlite:///relative/path`, `sqlite:////absolute/path`,
 * `sqlite://` (in memory).
 */
export function parseSqlUrl(url: string): SqlTarget {
  const scheme = urlScheme(url);
  if (scheme === 'sqlite') {
    return { kind: 'sqlite', path: sqlitePath(url) };
  }
  if (!MYSQL_SCHEMES.has(scheme)) {
    throw new InvalidUrl('database', maskUrl(url), `unsupported scheme '${scheme || '(none)'}'`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidUrl('database', maskUrl(url), 'not a URL');
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname) {
    throw new InvalidUrl('database', maskUrl(url), 'no host');
  }
  if (!database || database.includes('/')) {
    throw new InvalidUrl('database', maskUrl(url), 'no database name');
  }
  return {
    kind: 'mysql',
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

function sqlitePath(url: string): string {
  const rest = url.slice('sqlite://'.length).replace(/\?.*$/, '');
  if (rest === '' || rest === '/' || rest === '/:memory:') {
    return ':memory:';
  }
  if (!rest.startsWith('/')) {
    throw new InvalidUrl('database', url, 'expected sqlite:///path');
  }
  const path = rest.slice(1); // sqlite:///rel -> 'rel', sqlite:////abs -> '/abs'
  return isAbsolute(path) ? path : resolve(path);
}

/**
 * The cell0 database URL derived from the main one, as `nova-manage cell_v2 map_cell0`
 * does: `_cell0` appended to the database name, everything else kept.
 */
export function deriveCell0Url(url: string): string {
  const target = parseSqlUrl(url);
  const [base, query] = splitQuery(url);
  if (target.kind === 'sqlite') {
    return `${base}_cell0${query}`;
  }
  const slash = base.lastIndexOf('/');
  return `${base.slice(0, slash + 1)}${base.slice(slash + 1)}_cell0${query}`;
}

function splitQuery(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)];
}

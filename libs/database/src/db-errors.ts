/** True when a write failed on a unique index (MySQL ER_DUP_ENTRY or SQLite UNIQUE). */
export function isDuplicateKeyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) {
    return false;
  }
  const e = err as Error & {
    code?: unknown;
    errno?: unknown;
    driverError?: { code?: unknown; errno?: unknown };
  };
  const codes = [e.code, e.driverError?.code];
  return (
    codes.includes('ER_DUP_ENTRY') ||
    codes.includes('SQLITE_CONSTRAINT_UNIQUE') ||
    codes.includes('SQLITE_CONSTRAINT_PRIMARYKEY') ||
    e.errno === 1062 ||
    /UNIQUE constraint failed|Duplicate entry/.test(String(e.message))
  );
}

/**
 * True when the database rolled the statement back and running it again is
 * safe: MySQL's deadlock victim (also Galera's certification failure), MariaDB's
 * failed AUTO-INC lock of an INSERT ... SELECT (how it reports that deadlock), a
 * Galera node not ready for writes yet (WSREP, errno 1047: the next attempt may
 * get another node's connection), or a busy SQLite.
 */
export function isDeadlockError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) {
    return false;
  }
  const e = err as { code?: unknown; errno?: unknown; driverError?: { code?: unknown } };
  const codes = [e.code, e.driverError?.code];
  return (
    codes.includes('ER_LOCK_DEADLOCK') ||
    codes.includes('ER_AUTOINC_READ_FAILED') ||
    codes.includes('SQLITE_BUSY') ||
    e.errno === 1213 ||
    (e.errno === 1047 && /WSREP/i.test(String((err as { message?: unknown }).message))) ||
    e.errno === 1467
  );
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, type Connection } from 'mysql2/promise';
import { freePort } from './redis';
import { until } from './waiting';

const run = promisify(execFile);

/** Small and unsafe on purpose: a throw-away server for one test file. */
const LEAN = [
  '--innodb-buffer-pool-size=16M',
  '--innodb-log-file-size=8M',
  '--innodb-flush-log-at-trx-commit=2',
  '--skip-name-resolve',
];

/** One mariadbd of our own on loopback, with its datadir and socket in a temp dir. */
export class MariadbProcess {
  private child?: ChildProcess;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly args: string[],
  ) {}

  get socket(): string {
    return join(this.dir, 'mysqld.sock');
  }

  async start(): Promise<void> {
    this.child = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${this.socket}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        `--tmpdir=${this.dir}`,
        '--user=root',
        ...LEAN,
        ...this.args,
      ],
      { stdio: 'ignore' },
    );
    await until(`mariadbd on ${this.port}`, async () => {
      await (await this.admin()).end();
      return true;
    });
  }

  /** Root over the unix socket (mariadb-install-db gave root an empty password). */
  admin(): Promise<Connection> {
    return createConnection({ socketPath: this.socket, user: 'root', password: '' });
  }

  async sql(statement: string, params: unknown[] = []): Promise<unknown[]> {
    const conn = await this.admin();
    try {
      const [rows] = await conn.query(statement, params);
      return rows as unknown[];
    } finally {
      await conn.end();
    }
  }

  /** SIGTERM and wait: InnoDB shuts down cleanly in well under a second here. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/**
 * A primary (server_id 1, binary log) and its replica (server_id 2, read_only)
 * replicating with GTIDs from the primary's first event, so every database made
 * on the primary appears on the replica. `nova` is a user without the privilege
 * to bypass read_only: connected as it, the replica refuses every write.
 */
export class ReplicatedMariadb {
  static readonly user = 'nova';

  private constructor(
    readonly root: string,
    readonly primary: MariadbProcess,
    readonly replica: MariadbProcess,
  ) {}

  static async start(): Promise<ReplicatedMariadb> {
    const root = mkdtempSync(join(tmpdir(), 'nova-mariadb-repl-'));
    const set = new ReplicatedMariadb(
      root,
      new MariadbProcess(join(root, 'primary'), await freePort(), [
        '--server-id=1',
        `--log-bin=${join(root, 'primary', 'binlog')}`,
        '--binlog-format=ROW',
      ]),
      new MariadbProcess(join(root, 'replica'), await freePort(), [
        '--server-id=2',
        '--read-only=1',
      ]),
    );
    try {
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${join(set.primary.dir, 'data')}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...LEAN,
      ]);
      // Two servers from one install: a copy is faster than a second install.
      cpSync(join(set.primary.dir, 'data'), join(set.replica.dir, 'data'), { recursive: true });
      await Promise.all([set.primary.start(), set.replica.start()]);
      await set.replica.sql(
        `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${set.primary.port},
           MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
      );
      await set.replica.sql('START SLAVE');
      // Made on the primary after replication started: the replica gets the user too.
      await set.primary.sql(`CREATE USER ${ReplicatedMariadb.user}@'127.0.0.1'`);
      await set.primary.sql(
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES,
           CREATE TEMPORARY TABLES, LOCK TABLES ON *.* TO ${ReplicatedMariadb.user}@'127.0.0.1'`,
      );
      await set.caughtUp();
      return set;
    } catch (err) {
      await set.stop();
      throw err;
    }
  }

  /** A SQLAlchemy URL of `database` on the primary or the replica, as the nova user. */
  url(server: 'primary' | 'replica', database: string): string {
    const port = server === 'primary' ? this.primary.port : this.replica.port;
    return `mysql+pymysql://${ReplicatedMariadb.user}@127.0.0.1:${port}/${database}`;
  }

  /** Waits until the replica has applied everything the primary has written so far. */
  async caughtUp(): Promise<void> {
    const [row] = (await this.primary.sql('SELECT @@gtid_binlog_pos AS pos')) as Array<{
      pos: string;
    }>;
    const [waited] = (await this.replica.sql('SELECT MASTER_GTID_WAIT(?, 20) AS r', [
      row?.pos ?? '',
    ])) as Array<{ r: number }>;
    if (Number(waited?.r) !== 0) {
      throw new Error(`replica did not reach ${row?.pos} within 20 s`);
    }
  }

  /** Stop applying (the I/O thread keeps fetching): the replica lags from now on. */
  async pauseApplying(): Promise<void> {
    await this.replica.sql('STOP SLAVE SQL_THREAD');
  }

  async resumeApplying(): Promise<void> {
    await this.replica.sql('START SLAVE SQL_THREAD');
    await this.caughtUp();
  }

  /** Stop both servers and remove their files. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.replica.stop(), this.primary.stop()]);
    rmSync(this.root, { recursive: true, force: true });
  }
}

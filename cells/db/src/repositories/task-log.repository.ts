import type { DataSource } from 'typeorm';
import { isDuplicateKeyError, sqlTimestamp } from '@nova/database';

/** Nova's task name of the instance usage audit in task_log. */
export const USAGE_AUDIT_TASK = 'instance_usage_audit';

/** A periodic task's run on a host for one period (Nova's task_log row). */
export interface TaskLogRecord {
  readonly host: string;
  readonly state: string;
  readonly task_items: number;
  readonly errors: number;
  readonly message: string;
}

/** The task_log of one cell: raw statements, the table is small and never hydrated. */
export class TaskLogRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Begin a task run (RUNNING) unless one exists for this host and period:
   * false when it ran or runs already, so concurrent periodic tasks do it once.
   */
  async begin(task: string, host: string, begin: Date, end: Date, message: string) {
    const now = sqlTimestamp(this.ds);
    try {
      await this.ds.query(
        'INSERT INTO task_log (task_name, state, host, period_beginning, period_ending, ' +
          'message, task_items, errors, created_at, updated_at, deleted) ' +
          "VALUES (?, 'RUNNING', ?, ?, ?, ?, 0, 0, ?, ?, 0)",
        [task, host, this.at(begin), this.at(end), message, now, now],
      );
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        return false;
      }
      throw err;
    }
  }

  async finish(
    task: string,
    host: string,
    period: { begin: Date; end: Date },
    result: { items: number; errors: number; message: string },
  ): Promise<void> {
    await this.ds.query(
      "UPDATE task_log SET state = 'DONE', task_items = ?, errors = ?, message = ?, updated_at = ? " +
        'WHERE task_name = ? AND host = ? AND period_beginning = ? AND period_ending = ? AND deleted = 0',
      [
        result.items,
        result.errors,
        result.message,
        sqlTimestamp(this.ds),
        task,
        host,
        this.at(period.begin),
        this.at(period.end),
      ],
    );
  }

  /** The runs of a task for exactly this period, every host of the cell. */
  async inPeriod(task: string, begin: Date, end: Date): Promise<TaskLogRecord[]> {
    const rows = await this.ds.query<TaskLogRecord[]>(
      'SELECT host, state, task_items, errors, message FROM task_log ' +
        'WHERE task_name = ? AND period_beginning = ? AND period_ending = ? AND deleted = 0 ' +
        'ORDER BY host',
      [task, this.at(begin), this.at(end)],
    );
    return rows.map((r) => ({ ...r, task_items: Number(r.task_items), errors: Number(r.errors) }));
  }

  /** Instances on a host at some time in [begin, end), deleted ones too (what an audit covers). */
  async countActiveOnHost(host: string, begin: Date, end: Date): Promise<number> {
    const [row] = await this.ds.query<Array<{ n: unknown }>>(
      'SELECT COUNT(*) AS n FROM instances WHERE host = ? AND launched_at < ? ' +
        'AND (terminated_at IS NULL OR terminated_at > ?)',
      [host, this.at(end), this.at(begin)],
    );
    return Number(row?.n ?? 0);
  }

  private at(date: Date): Date | string {
    return sqlTimestamp(this.ds, date);
  }
}

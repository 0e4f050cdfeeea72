import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastCompletedAuditPeriod, pyDateTime } from '@nova/common';
import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';

/**
 * The instance usage audit across real processes: the compute host asks its
 * cell conductor to audit the last completed period (hourly here), which
 * records it once in task_log; os-instance_usage_audit_log reports it.
 */
describe('instance usage audit log (separate processes)', () => {
  let cloud: Cloud;
  const host = 'cell1-c1';

  beforeAll(async () => {
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: { DEFAULT: { instance_usage_audit: 'true', instance_usage_audit_period: 'hour' } },
    });
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const cellDb = () => cloud.deployment.dbName('cell1');

  const auditLog = async (until: (log: Record<string, any>) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const res = await cloud.api.get('/v2.1/os-instance_usage_audit_log');
      expect(res.status).toBe(200);
      if (until(res.body.instance_usage_audit_logs)) {
        return res.body.instance_usage_audit_logs as Record<string, any>;
      }
      await sleep(100);
    }
    throw new Error(`audit log never matched: ${cloud.problems()}`);
  };

  it('reports the audit each compute host ran for the last completed period', async () => {
    const period = lastCompletedAuditPeriod('hour');
    const log = await auditLog((l) => l.num_hosts_done === 1);
    expect(log).toEqual({
      period_beginning: pyDateTime(period.begin),
      period_ending: pyDateTime(period.end),
      num_hosts: 1,
      num_hosts_done: 1,
      num_hosts_running: 0,
      num_hosts_not_run: 0,
      hosts_not_run: [],
      total_instances: 0,
      total_errors: 0,
      overall_status: 'ALL hosts done. 0 errors.',
      log: {
        [host]: {
          state: 'DONE',
          instances: 0,
          errors: 0,
          message: expect.stringMatching(
            /^Instance usage audit ran for host cell1-c1, 0 instances in [\d.]+ seconds\.$/,
          ),
        },
      },
    });
  });

  it('counts the instances the host had in the period, deleted ones too, once per period', async () => {
    const { begin, end } = lastCompletedAuditPeriod('hour');
    const at = (ms: number) => new Date(ms);
    const seed = async (launched: Date, terminated: Date | null, deleted = 0) => {
      await query(
        cellDb(),
        'INSERT INTO instances (uuid, project_id, user_id, host, node, vm_state, launched_at, ' +
          'terminated_at, created_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [randomUUID(), 'p', 'u', host, host, 'active', launched, terminated, launched, deleted],
      );
    };
    await seed(at(begin.getTime() + 60_000), null); // ran all period
    await seed(at(begin.getTime() - 3600_000), at(begin.getTime() + 60_000), 1); // deleted in it
    await seed(at(begin.getTime() - 7200_000), at(begin.getTime() - 3600_000), 1); // gone before
    await seed(at(end.getTime() + 1000), null); // launched after
    await query(cellDb(), 'DELETE FROM task_log');
    // A compute host audits when it starts: restart it to audit the seeded period again.
    await cloud.computes.get(host)?.stop();
    cloud.startCompute('cell1', host);
    const log = await auditLog((l) => l.total_instances === 2);
    expect(log.log[host]).toMatchObject({ state: 'DONE', instances: 2, errors: 0 });

    await cloud.computes.get(host)?.stop();
    cloud.startCompute('cell1', host);
    await sleep(1500);
    const rows = await query<{ n: number }>(cellDb(), 'SELECT COUNT(*) AS n FROM task_log');
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('shows the audit of the period before a given time; none ran then', async () => {
    const before = new Date(Date.now() - 3 * 3600_000);
    const period = lastCompletedAuditPeriod('hour', before);
    const stamp = encodeURIComponent(pyDateTime(before));
    const res = await cloud.api.get(`/v2.1/os-instance_usage_audit_log/${stamp}`);
    expect(res.status).toBe(200);
    expect(res.body.instance_usage_audit_log).toMatchObject({
      period_beginning: pyDateTime(period.begin),
      period_ending: pyDateTime(period.end),
      num_hosts: 1,
      num_hosts_done: 0,
      num_hosts_not_run: 1,
      hosts_not_run: [host],
      total_instances: 0,
      overall_status: '0 of 1 hosts done. 0 errors.',
      log: {},
    });
    const micro = encodeURIComponent(`${pyDateTime(before)}.123456`);
    expect((await cloud.api.get(`/v2.1/os-instance_usage_audit_log/${micro}`)).status).toBe(200);
  });

  it("refuses a bad timestamp (400) and non-admins (403), with Nova's faults", async () => {
    for (const bad of ['invalid_time', '2026-02-30 00:00:00', '2026-12-06T04:00:00']) {
      const res = await cloud.api.get(
        `/v2.1/os-instance_usage_audit_log/${encodeURIComponent(bad)}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toBe(`Invalid timestamp for date ${bad}`);
    }
    const member = { as: 'member' as const };
    expect((await cloud.api.get('/v2.1/os-instance_usage_audit_log', member)).status).toBe(403);
    expect(
      (await cloud.api.get('/v2.1/os-instance_usage_audit_log/2026-12-06%2000%3A00%3A00', member))
        .status,
    ).toBe(403);
  });
});

import { Controller, Get, Inject, Param } from '@nestjs/common';
import { Invalid, lastCompletedAuditPeriod, pyDateTime, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { HOST_INVENTORY, type HostInventoryPort } from '@nova/host-inventory';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx } from '../../http/route-meta';

/** Nova's `before` forms: `%Y-%m-%d %H:%M:%S`, with `.%f` microseconds when there is a dot. */
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,6})?$/;

/**
 * os-instance_usage_audit_log (admin): how the computes' usage audit of the
 * last completed period went, over every cell that answers. The periods are
 * `[DEFAULT] instance_usage_audit_period`'s; the computes record their runs
 * when `instance_usage_audit` is on.
 */
@Controller(apiPaths('os-instance_usage_audit_log'))
export class UsageAuditLogController {
  constructor(
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @Authorize('os_compute_api:os-instance-usage-audit-log:list')
  async index(@Ctx() ctx: RequestContext) {
    return { instance_usage_audit_logs: await this.report(ctx, new Date()) };
  }

  @Get(':before')
  @Authorize('os_compute_api:os-instance-usage-audit-log:show')
  async show(@Ctx() ctx: RequestContext, @Param('before') before: string) {
    return { instance_usage_audit_log: await this.report(ctx, parseBefore(before)) };
  }

  private async report(ctx: RequestContext, before: Date) {
    const period = lastCompletedAuditPeriod(
      this.config.DEFAULT.instance_usage_audit_period,
      before,
    );
    const { hosts, runs } = await this.inventory.usageAudit(ctx, period);
    const seen = new Set(runs.map((r) => r.host));
    const done = new Set(runs.filter((r) => r.state === 'DONE').map((r) => r.host));
    const running = new Set(runs.filter((r) => r.state === 'RUNNING').map((r) => r.host));
    const totalErrors = runs.reduce((sum, r) => sum + r.errors, 0);
    const notRun = hosts.filter((h) => !seen.has(h));
    const doneText = done.size === hosts.length ? 'ALL' : `${done.size} of ${hosts.length}`;
    return {
      period_beginning: pyDateTime(period.begin),
      period_ending: pyDateTime(period.end),
      num_hosts: hosts.length,
      num_hosts_done: done.size,
      num_hosts_running: running.size,
      num_hosts_not_run: notRun.length,
      hosts_not_run: notRun,
      total_instances: runs.reduce((sum, r) => sum + r.task_items, 0),
      total_errors: totalErrors,
      overall_status: `${doneText} hosts done. ${totalErrors} errors.`,
      log: Object.fromEntries(
        runs.map((r) => [
          r.host,
          { state: r.state, instances: r.task_items, errors: r.errors, message: r.message },
        ]),
      ),
    };
  }
}

/** 400 as Nova's for anything strptime would refuse (a wrong field count or range). */
function parseBefore(text: string): Date {
  const m = TIMESTAMP.exec(text);
  const invalid = () => new Invalid(`Invalid timestamp for date ${text}`);
  if (!m) {
    throw invalid();
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw invalid();
  }
  return date;
}

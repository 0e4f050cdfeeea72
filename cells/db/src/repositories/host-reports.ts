import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ComputeNodeReport } from '@nova/compute-rpc';
import { ComputeNode, Instance, Service } from '../entities';
import { SERVICE_VERSION } from '../service-version';
import { moveUsage, movesTouching } from './move-usage';

/** Heartbeats and resource reports of a cell's services, written by its conductor. */
export class HostReports {
  constructor(private readonly ds: DataSource) {}

  /**
   * The service's heartbeat, recording the service version its code reports
   * (ours for the services beating here): one UPDATE, plus an INSERT the first
   * time. True when the row was missing and this beat registered the service.
   */
  async heartbeat(
    host: string,
    binary: string,
    topic: string,
    version: number = SERVICE_VERSION,
  ): Promise<boolean> {
    const now = new Date();
    const beat = await this.ds
      .createQueryBuilder()
      .update(Service)
      // The version follows the code: an upgraded service reports its new one.
      .set({ report_count: () => 'report_count + 1', last_seen_up: now, updated_at: now, version })
      .where('host = :host AND `binary` = :binary AND deleted = 0', { host, binary })
      .execute();
    if (beat.affected) {
      return false;
    }
    await this.ds.getRepository(Service).insert({
      uuid: randomUUID(),
      host,
      binary,
      topic,
      report_count: 1,
      disabled: false,
      forced_down: false,
      last_seen_up: now,
      created_at: now,
      updated_at: now,
      deleted: 0,
      version,
    });
    return true;
  }

  /**
   * Per binary, the lowest version the cell's live services record (Nova's
   * Service.get_minimum_version: deleted and forced-down services left out).
   */
  async minVersions(): Promise<Record<string, number>> {
    const rows = await this.ds.query<Array<{ b: string; v: number | string }>>(
      'SELECT `binary` AS b, MIN(version) AS v FROM services WHERE deleted = 0 AND forced_down = 0 AND version > 0 GROUP BY `binary`',
    );
    return Object.fromEntries(rows.map((r) => [r.b, Number(r.v)]));
  }

  /**
   * Upsert the node's capacity and its usage (summed from the live instances
   * on it). Like Nova's resource tracker, the row is saved only when something
   * changed: `last` is what this caller wrote before, and an identical report
   * within `refreshMs` of it writes nothing (the refresh also heals a row
   * deleted or changed behind the caller's back). `serviceId` is asked only
   * for a write. Returns what is now written.
   */
  async computeNode(
    report: ComputeNodeReport,
    serviceId: () => Promise<number>,
    last?: WrittenNode,
    refreshMs = 0,
  ): Promise<WrittenNode> {
    const node = await this.nodeFields(report);
    const fingerprint = JSON.stringify(node);
    const now = new Date();
    if (last?.fingerprint === fingerprint && now.getTime() - last.at < refreshMs) {
      return last;
    }
    const fields = { ...node, service_id: await serviceId(), updated_at: now };
    const repo = this.ds.getRepository(ComputeNode);
    const written = (id: number, uuid: string): WrittenNode => ({
      id,
      uuid,
      fingerprint,
      at: now.getTime(),
    });
    if (last && (await repo.update({ id: last.id, deleted: 0 }, fields)).affected) {
      return written(last.id, last.uuid);
    }
    const existing = await repo.findOneBy({
      host: report.host,
      hypervisor_hostname: report.hypervisor_hostname,
      deleted: 0,
    });
    if (existing) {
      await repo.update({ id: existing.id }, fields);
      return written(existing.id, existing.uuid!);
    }
    const uuid = randomUUID();
    const { identifiers } = await repo.insert({
      ...fields,
      uuid,
      created_at: now,
      deleted: 0,
      mapped: 0,
    });
    return written(Number(identifiers[0]?.['id']), uuid);
  }

  /** The node's row from its report: capacity as reported, usage from its instances and moves. */
  private async nodeFields(report: ComputeNodeReport) {
    const usage = (await this.ds
      .getRepository(Instance)
      .createQueryBuilder('i')
      .select('COUNT(*)', 'n')
      .addSelect('COALESCE(SUM(i.vcpus), 0)', 'vcpus')
      .addSelect('COALESCE(SUM(i.memory_mb), 0)', 'ram')
      .addSelect('COALESCE(SUM(i.root_gb + i.ephemeral_gb), 0)', 'disk')
      .where('i.deleted = 0 AND i.host = :host AND i.node = :node', {
        host: report.host,
        node: report.hypervisor_hostname,
      })
      .getRawOne()) as {
      n: number | string;
      vcpus: number | string;
      ram: number | string;
      disk: number | string;
    };
    // Moves hold resources here beyond the instances' own flavors (placement counts them too).
    const moving = moveUsage(await movesTouching(this.ds, report.host), report.host);
    const vcpusUsed = Number(usage.vcpus) + moving.vcpus;
    const ramUsed = Number(usage.ram) + moving.memory_mb;
    const diskUsed = Number(usage.disk) + moving.root_gb + moving.ephemeral_gb;
    return {
      host: report.host,
      vcpus: report.vcpus,
      memory_mb: report.memory_mb,
      local_gb: report.local_gb,
      vcpus_used: vcpusUsed,
      memory_mb_used: ramUsed,
      local_gb_used: diskUsed,
      free_ram_mb: report.memory_mb - ramUsed,
      free_disk_gb: report.local_gb - diskUsed,
      running_vms: Number(usage.n),
      current_workload: 0,
      hypervisor_type: report.hypervisor_type,
      hypervisor_version: String(report.hypervisor_version),
      hypervisor_hostname: report.hypervisor_hostname,
      cpu_info: report.cpu_info,
      host_ip: report.host_ip,
      disk_available_least: report.local_gb - diskUsed,
    };
  }
}

/** A compute node row as a conductor last wrote it (HostReports.computeNode). */
export interface WrittenNode {
  readonly id: number;
  readonly uuid: string;
  /** The written fields (but the service and the time), serialized: an equal report writes nothing. */
  readonly fingerprint: string;
  /** When it was written (ms since the epoch). */
  readonly at: number;
}

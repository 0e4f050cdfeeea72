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
   * The service's heartbeat (registering it on first report), recording the
   * service version its code reports (ours for the services beating here);
   * returns its row.
   */
  async heartbeat(
    host: string,
    binary: string,
    topic: string,
    version: number = SERVICE_VERSION,
  ): Promise<Service> {
    const repo = this.ds.getRepository(Service);
    const now = new Date();
    const existing = await repo.findOneBy({ host, binary, deleted: 0 });
    if (existing) {
      await repo.update(
        { id: existing.id },
        // The version follows the code: an upgraded service reports its new one.
        {
          report_count: () => 'report_count + 1',
          last_seen_up: now,
          updated_at: now,
          version,
        },
      );
      return existing;
    }
    await repo.insert({
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
    return (await repo.findOneBy({ host, binary, deleted: 0 }))!;
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

  /** Upsert the node's capacity and its usage (summed from the live instances on it); returns its uuid. */
  async computeNode(report: ComputeNodeReport, serviceId: number): Promise<string> {
    const repo = this.ds.getRepository(ComputeNode);
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
    usage.vcpus = Number(usage.vcpus) + moving.vcpus;
    usage.ram = Number(usage.ram) + moving.memory_mb;
    usage.disk = Number(usage.disk) + moving.root_gb + moving.ephemeral_gb;
    const now = new Date();
    const fields = {
      service_id: serviceId,
      host: report.host,
      vcpus: report.vcpus,
      memory_mb: report.memory_mb,
      local_gb: report.local_gb,
      vcpus_used: Number(usage.vcpus),
      memory_mb_used: Number(usage.ram),
      local_gb_used: Number(usage.disk),
      free_ram_mb: report.memory_mb - Number(usage.ram),
      free_disk_gb: report.local_gb - Number(usage.disk),
      running_vms: Number(usage.n),
      current_workload: 0,
      hypervisor_type: report.hypervisor_type,
      hypervisor_version: String(report.hypervisor_version),
      hypervisor_hostname: report.hypervisor_hostname,
      cpu_info: report.cpu_info,
      host_ip: report.host_ip,
      disk_available_least: report.local_gb - Number(usage.disk),
      updated_at: now,
    };
    const existing = await repo.findOneBy({
      host: report.host,
      hypervisor_hostname: report.hypervisor_hostname,
      deleted: 0,
    });
    if (existing) {
      await repo.update({ id: existing.id }, fields);
      return existing.uuid!;
    }
    const uuid = randomUUID();
    await repo.insert({ ...fields, uuid, created_at: now, deleted: 0, mapped: 0 });
    return uuid;
  }
}

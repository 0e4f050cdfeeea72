import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { Conflict } from '@nova/common';
import { TaskState } from '@nova/compute-state';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServerDiagnostics, type ServersPort } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { findServer } from './server-lookup';

/**
 * GET /servers/{id}/diagnostics (admin): what the host's driver says, in the
 * 2.48 standard shape, or before it in the libvirt driver's flat keys.
 */
@Controller(apiPaths('servers/:server_id/diagnostics'))
export class ServerDiagnosticsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
  ) {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, 'os_compute_api:os-server-diagnostics', {
      project_id: server.project_id,
    });
    if (!server.host || server.task_state === TaskState.DELETING) {
      throw new Conflict(
        `Cannot 'get_diagnostics' instance ${server.uuid} while it is in vm_state ${server.vm_state}`,
      );
    }
    const d = await this.servers.diagnostics(ctx, server);
    return v.atLeast('2.48') ? standard(d) : legacy(d);
  }
}

function standard(d: ServerDiagnostics): Record<string, unknown> {
  return {
    state: d.state,
    driver: d.driver,
    hypervisor: d.hypervisor,
    hypervisor_os: d.hypervisorOs,
    uptime: d.uptime,
    config_drive: d.configDrive,
    num_cpus: d.cpuDetails.length,
    num_nics: d.nicDetails.length,
    num_disks: d.diskDetails.length,
    memory_details: d.memoryDetails,
    cpu_details: d.cpuDetails,
    nic_details: d.nicDetails.map((n) => ({
      mac_address: n.macAddress,
      rx_octets: n.rxOctets,
      rx_errors: 0,
      rx_drop: 0,
      rx_packets: n.rxPackets,
      rx_rate: null,
      tx_octets: n.txOctets,
      tx_errors: 0,
      tx_drop: 0,
      tx_packets: n.txPackets,
      tx_rate: null,
    })),
    disk_details: d.diskDetails.map((k) => ({
      read_bytes: k.readBytes,
      read_requests: k.readRequests,
      write_bytes: k.writeBytes,
      write_requests: k.writeRequests,
      errors_count: k.errorsCount,
    })),
  };
}

/** Before 2.48 Nova passes the libvirt driver's own keys through (memory in KiB). */
function legacy(d: ServerDiagnostics): Record<string, number> {
  const out: Record<string, number> = { memory: d.memoryDetails.maximum * 1024 };
  for (const cpu of d.cpuDetails) {
    out[`cpu${cpu.id}_time`] = cpu.time;
  }
  d.diskDetails.forEach((k, i) => {
    const dev = `vd${String.fromCharCode(97 + i)}`;
    out[`${dev}_read`] = k.readBytes;
    out[`${dev}_read_req`] = k.readRequests;
    out[`${dev}_write`] = k.writeBytes;
    out[`${dev}_write_req`] = k.writeRequests;
    out[`${dev}_errors`] = k.errorsCount;
  });
  d.nicDetails.forEach((n, i) => {
    out[`vnet${i}_rx`] = n.rxOctets;
    out[`vnet${i}_rx_packets`] = n.rxPackets;
    out[`vnet${i}_tx`] = n.txOctets;
    out[`vnet${i}_tx_packets`] = n.txPackets;
  });
  return out;
}

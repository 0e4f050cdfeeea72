import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CellRouter } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { gatherFromCells } from '@nova/cells/hosts';
import type { RequestContext } from '@nova/common';
import { ComputeClient } from '@nova/compute-rpc';
import { InstanceInvalidState, TaskState } from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import type { ConsoleConnection, ConsoleProtocol, ConsolesPort, ServerRecord } from '@nova/servers';
import { consoleAccessUrl, consoleTarget } from './console-access';
import { InstanceNotReady } from './server-operations';
import { ServerLookup } from './server-lookup';

/** Task states in which Nova refuses a console (the guest is going away or moving). */
const REFUSED_TASK_STATES: ReadonlyArray<string> = [TaskState.DELETING, TaskState.MIGRATING];

/**
 * Remote consoles: the instance's host says where its console listens, and
 * the instance's cell stores a one-time token for it (hashed, expiring after
 * `[consoleauth] token_ttl`) that the console proxy redeems.
 */
@Injectable()
export class RemoteConsoles implements ConsolesPort {
  constructor(
    private readonly lookup: ServerLookup,
    private readonly router: CellRouter,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async create(
    ctx: RequestContext,
    server: ServerRecord,
    protocol: ConsoleProtocol,
    type: string,
  ): Promise<{ url: string }> {
    if (!server.host || !server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    if (server.task_state !== null && REFUSED_TASK_STATES.includes(server.task_state)) {
      throw new InstanceInvalidState(
        `Cannot 'get_${protocol}_console' instance ${server.uuid} while it is in task_state ${server.task_state}`,
      );
    }
    const target = consoleTarget(this.config, protocol, type);
    const cctx = await this.lookup.cellOf(ctx, server);
    const compute = new ComputeClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    const endpoint = await compute.consoleEndpoint(ctx, server.host, server.uuid, target.kind);
    const token = randomUUID();
    await (
      await cellDb(cctx)
    ).consoleAuthTokens.create(token, {
      console_type: type,
      host: endpoint.host,
      port: endpoint.port,
      internal_access_path: endpoint.internal_access_path,
      instance_uuid: server.uuid,
      access_url_base: target.baseUrl,
      expires: Math.floor(Date.now() / 1000) + this.config.consoleauth.token_ttl,
    });
    return { url: consoleAccessUrl(target.baseUrl, type, token) };
  }

  /** Every cell but cell0 is asked at once (a token names no cell); the first that has it answers. */
  async connection(ctx: RequestContext, token: string): Promise<ConsoleConnection | null> {
    const { cell_list_timeout, cell_timeout } = this.config.cells;
    const { answers } = await gatherFromCells(
      this.router,
      ctx,
      Math.min(cell_list_timeout, cell_timeout) * 1000,
      (db) => db.consoleAuthTokens.findValid(token),
      { skipCell0: true },
    );
    const found = answers.find((a) => a.value !== null)?.value;
    return found
      ? {
          console_type: found.console_type,
          instance_uuid: found.instance_uuid,
          host: found.host,
          port: found.port,
          internal_access_path: found.internal_access_path,
        }
      : null;
  }
}

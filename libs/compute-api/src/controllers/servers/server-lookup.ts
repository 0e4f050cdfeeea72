import { ServiceUnavailable, type RequestContext } from '@nova/common';
import type { ServerRecord, ServersPort, UnknownServer } from '@nova/servers';

/** A record from a cell that did not answer (only the API database knows it). */
export function isUnknownServer(server: ServerRecord | UnknownServer): server is UnknownServer {
  return !('vm_state' in server);
}

/**
 * The server's cell does not answer. Nova fails such requests with a 500
 * (or shows the 2.69 minimal record on GET); a 503 says better that it will pass.
 */
export class CellNotResponding extends ServiceUnavailable {
  constructor(server: UnknownServer) {
    super(`The cell of server ${server.uuid} is not responding; try again later.`, {
      instance_uuid: server.uuid,
      cell_uuid: server.cell_uuid,
    });
  }
}

/** The server for a request that acts on it: 404 from the port, 503 when its cell is down. */
export async function findServer(
  servers: ServersPort,
  ctx: RequestContext,
  id: string,
): Promise<ServerRecord> {
  const server = await servers.get(ctx, id);
  if (isUnknownServer(server)) {
    throw new CellNotResponding(server);
  }
  return server;
}

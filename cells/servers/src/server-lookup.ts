import { Inject, Injectable } from '@nestjs/common';
import { CellRouter, type CellContext } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import type { RequestContext } from '@nova/common';
import { InstanceNotFound } from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { BuildRequests, type ServerRecord, type UnknownServer } from '@nova/servers';
import { buildRequestRecord } from './build-request-record';

export function instanceNotFound(uuid: string): InstanceNotFound {
  return new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
}

/**
 * One server through its mapping (cache, then API database): a build request
 * while it has no cell, else its cell's row. A cell that does not answer within
 * `[cells] cell_list_timeout` yields what the API database knows (UnknownServer).
 * Non-admins see only their project's servers: another project's is 404, as
 * Nova's project-scoped instance query makes it (the mapping tells, so the cell
 * is not even asked).
 */
@Injectable()
export class ServerLookup {
  constructor(
    private readonly router: CellRouter,
    private readonly builds: BuildRequests,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async find(
    ctx: RequestContext,
    uuid: string,
    options: { withDeleted?: boolean } = {},
  ): Promise<ServerRecord | UnknownServer> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const location = await this.router.lookupInstance(uuid);
      if (
        !location ||
        (location.queuedForDelete && !options.withDeleted) ||
        (!ctx.isAdmin && location.projectId !== ctx.projectId)
      ) {
        throw instanceNotFound(uuid);
      }
      if (!location.cell) {
        const fields = await this.builds.get(uuid);
        if (fields) {
          return buildRequestRecord(fields);
        }
        // Scheduled meanwhile: the cached mapping is stale; read it again.
        await this.router.mappings.forget(uuid);
        continue;
      }
      const cctx = this.router.targetCell(ctx, location.cell);
      const result = await this.router.scatterGather(
        ctx,
        [location.cell],
        async () => (await cellDb(cctx)).servers.get(uuid, options.withDeleted ?? false),
        { timeoutMs: this.config.cells.cell_list_timeout * 1000 },
      );
      const answer = result.get(location.cell.uuid);
      if (answer?.status !== 'ok') {
        return this.unknown(uuid, location.projectId, location.userId, location.cell.uuid);
      }
      if (!answer.value) {
        throw instanceNotFound(uuid);
      }
      return answer.value;
    }
    throw instanceNotFound(uuid);
  }

  /** The server's cell, bound to the request (it must have one). */
  async cellOf(ctx: RequestContext, server: ServerRecord): Promise<CellContext> {
    if (!server.cell_uuid) {
      throw instanceNotFound(server.uuid);
    }
    return this.router.targetCell(ctx, await this.router.cell(server.cell_uuid));
  }

  /** GET /servers/{id} of a silent cell (2.69): the request spec says flavor, image and zone. */
  private async unknown(
    uuid: string,
    projectId: string,
    userId: string | null,
    cellUuid: string,
  ): Promise<UnknownServer> {
    const spec = await this.builds.spec(uuid).catch(() => null);
    if (!spec) {
      return {
        uuid,
        project_id: projectId,
        created_at: null,
        cell_uuid: cellUuid,
        user_id: userId,
      };
    }
    const { id: _id, ...flavor } = spec.flavor;
    return {
      uuid,
      project_id: projectId,
      created_at: null,
      cell_uuid: cellUuid,
      user_id: userId,
      flavor,
      image_ref: spec.image.id,
      availability_zone: spec.availability_zone,
    };
  }
}

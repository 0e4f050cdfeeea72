import { Injectable } from '@nestjs/common';
import { cellDb, instanceActions, InstanceRecordsWriter } from '@nova/cells/db';
import type { RequestContext } from '@nova/common';
import { SuperConductorClient } from '@nova/compute-rpc';
import { checkActionAllowed } from '@nova/compute-state';
import {
  BuildRequests,
  type Caller,
  type InstanceActionRecord,
  type PendingBuild,
  type ServerChanges,
  type ServerListing as Listing,
  type ServerListQuery,
  type ServerOperation,
  type ServerRecord,
  type ServersPort,
  type UnknownServer,
} from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { instanceNotFound, ServerLookup } from './server-lookup';
import { ServerListing } from './server-listing';
import { InstanceNotReady, ServerOperations } from './server-operations';
import { MetadataNotFound, TagNotFound } from './errors';

/** The SERVERS port of the compute API, over the API database, the cells and their queues. */
@Injectable()
export class ServersAdapter implements ServersPort {
  constructor(
    private readonly builds: BuildRequests,
    private readonly apiMq: ApiLevelTransport,
    private readonly lookup: ServerLookup,
    private readonly listing: ServerListing,
    private readonly operations: ServerOperations,
  ) {}

  async build(ctx: RequestContext, builds: readonly PendingBuild[]): Promise<void> {
    await this.builds.create(builds);
    const conductor = new SuperConductorClient(await this.apiMq.get());
    await conductor.scheduleAndBuild(
      ctx,
      builds.map((b) => b.fields.uuid),
    );
  }

  list(ctx: RequestContext, query: ServerListQuery): Promise<Listing> {
    return this.listing.list(ctx, query);
  }

  get(ctx: RequestContext, uuid: string): Promise<ServerRecord | UnknownServer> {
    return this.lookup.find(ctx, uuid);
  }

  async update(
    ctx: RequestContext,
    server: ServerRecord,
    changes: ServerChanges,
  ): Promise<ServerRecord> {
    const db = await cellDb(await this.cellOf(ctx, server));
    await db.writer.compareAndSwap(server.uuid, 'any', changes);
    return (await db.servers.get(server.uuid)) ?? Promise.reject(instanceNotFound(server.uuid));
  }

  delete(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void> {
    return this.operations.delete(ctx, server, caller);
  }

  operate(
    ctx: RequestContext,
    server: ServerRecord,
    op: ServerOperation,
    caller: Caller,
  ): Promise<void> {
    return this.operations.operate(ctx, server, op, caller);
  }

  setLock(
    ctx: RequestContext,
    server: ServerRecord,
    lock: { locked: true; reason: string | null } | { locked: false },
  ): Promise<void> {
    return this.operations.setLock(ctx, server, lock);
  }

  consoleOutput(ctx: RequestContext, server: ServerRecord, length: number | null): Promise<string> {
    return this.operations.consoleOutput(ctx, server, length);
  }

  async setMetadata(
    ctx: RequestContext,
    server: ServerRecord,
    metadata: Readonly<Record<string, string>>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    checkActionAllowed('updateMetadata', server, ctx.isAdmin);
    return (await this.records(ctx, server)).setMetadata(server.uuid, metadata, replace);
  }

  async deleteMetadataItem(ctx: RequestContext, server: ServerRecord, key: string): Promise<void> {
    checkActionAllowed('updateMetadata', server, ctx.isAdmin);
    if (!(await (await this.records(ctx, server)).deleteMetadataItem(server.uuid, key))) {
      throw new MetadataNotFound(server.uuid, key);
    }
  }

  async setTags(ctx: RequestContext, server: ServerRecord, tags: readonly string[]) {
    return (await this.records(ctx, server)).setTags(server.uuid, tags);
  }

  async addTag(ctx: RequestContext, server: ServerRecord, tag: string): Promise<boolean> {
    return (await this.records(ctx, server)).addTag(server.uuid, tag);
  }

  async deleteTag(ctx: RequestContext, server: ServerRecord, tag: string): Promise<void> {
    if (!(await (await this.records(ctx, server)).deleteTag(server.uuid, tag))) {
      throw new TagNotFound(server.uuid, tag);
    }
  }

  async instanceActions(ctx: RequestContext, uuid: string): Promise<InstanceActionRecord[]> {
    const server = await this.lookup.find(ctx, uuid, { withDeleted: true });
    if (!server.cell_uuid) {
      return [];
    }
    const cctx = await this.lookup.cellOf(ctx, server as ServerRecord);
    return instanceActions(await cctx.cell.db(), uuid);
  }

  private async cellOf(ctx: RequestContext, server: ServerRecord) {
    if (!server.cell_uuid) {
      throw new InstanceNotReady(server.uuid); // still a build request: no row to change yet
    }
    return this.lookup.cellOf(ctx, server);
  }

  private async records(ctx: RequestContext, server: ServerRecord): Promise<InstanceRecordsWriter> {
    return new InstanceRecordsWriter(await (await this.cellOf(ctx, server)).cell.db());
  }
}

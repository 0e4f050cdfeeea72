import { Injectable } from '@nestjs/common';
import { cellDb, instanceActions, InstanceRecordsWriter } from '@nova/cells/db';
import type { RequestContext } from '@nova/common';
import { SuperConductorClient, type BuildSecrets, type WireVif } from '@nova/compute-rpc';
import { checkActionAllowed } from '@nova/compute-state';
import {
  BuildRequests,
  type Caller,
  type ExternalEvent,
  type ImageActionRequest,
  type InstanceActionRecord,
  type MigrationListQuery,
  type MigrationRecord,
  type RebuildPlan,
  type ServerDiagnostics,
  type PendingBuild,
  type ServerChanges,
  type ServerListing as Listing,
  type ServerListQuery,
  type ServerMove,
  type ServerOperation,
  type ServerRecord,
  type ServersPort,
  type UnknownServer,
  type UnshelveOptions,
} from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { instanceNotFound, ServerLookup } from './server-lookup';
import { ServerListing } from './server-listing';
import { InstanceNotReady, ServerOperations } from './server-operations';
import { MetadataNotFound, TagNotFound } from './errors';
import { MigrationListing } from './migration-listing';
import { ServerMoves } from './server-moves';
import { ServerRebuild } from './server-rebuild';
import { ServerImages } from './server-images';

/** The SERVERS port of the compute API, over the API database, the cells and their queues. */
@Injectable()
export class ServersAdapter implements ServersPort {
  constructor(
    private readonly builds: BuildRequests,
    private readonly apiMq: ApiLevelTransport,
    private readonly lookup: ServerLookup,
    private readonly listing: ServerListing,
    private readonly operations: ServerOperations,
    private readonly rebuilds: ServerRebuild,
    private readonly migrationListing: MigrationListing,
    private readonly moves: ServerMoves,
    private readonly images: ServerImages,
  ) {}

  async build(
    ctx: RequestContext,
    builds: readonly PendingBuild[],
    secrets: BuildSecrets = {},
  ): Promise<void> {
    await this.builds.create(builds);
    const conductor = new SuperConductorClient(await this.apiMq.get());
    // One request's builds share its spec (the conductor schedules them together).
    await conductor.scheduleAndBuild(
      ctx,
      builds.map((b) => b.fields.uuid),
      secrets,
      builds[0]?.spec,
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

  async delete(
    ctx: RequestContext,
    server: ServerRecord,
    caller: Caller,
    options: { force?: boolean } = {},
  ): Promise<void> {
    const shelveImage = await this.images.shelveImageOf(ctx, server);
    const current = await this.moves.confirmCrossCellBeforeDelete(ctx, server);
    await this.operations.delete(ctx, current, caller, options);
    if (shelveImage) {
      await this.images.deleteShelveImage(ctx, server.uuid, shelveImage);
    }
  }

  createImage(
    ctx: RequestContext,
    server: ServerRecord,
    request: ImageActionRequest,
    caller: Caller,
  ): Promise<string> {
    return this.images.createImage(ctx, server, request, caller);
  }

  shelve(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void> {
    return this.images.shelve(ctx, server, caller);
  }

  shelveOffload(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void> {
    return this.images.shelveOffload(ctx, server, caller);
  }

  unshelve(
    ctx: RequestContext,
    server: ServerRecord,
    options: UnshelveOptions,
    caller: Caller,
  ): Promise<void> {
    return this.images.unshelve(ctx, server, options, caller);
  }

  resetState(ctx: RequestContext, server: ServerRecord, state: 'active' | 'error'): Promise<void> {
    return this.operations.resetState(ctx, server, state);
  }

  rebuild(
    ctx: RequestContext,
    server: ServerRecord,
    plan: RebuildPlan,
    caller: Caller,
  ): Promise<ServerRecord> {
    return this.rebuilds.rebuild(ctx, server, plan, caller);
  }

  async setSecurityGroups(
    ctx: RequestContext,
    server: ServerRecord,
    names: readonly string[],
  ): Promise<void> {
    await (
      await cellDb(await this.cellOf(ctx, server))
    ).writer.setSecurityGroups(server.uuid, names);
  }

  async networkInfo(ctx: RequestContext, server: ServerRecord): Promise<WireVif[]> {
    if (!server.cell_uuid) {
      return [];
    }
    return (await cellDb(await this.cellOf(ctx, server))).servers.networkInfo(server.uuid);
  }

  async setNetworkInfo(
    ctx: RequestContext,
    server: ServerRecord,
    vifs: readonly WireVif[],
  ): Promise<void> {
    await (await cellDb(await this.cellOf(ctx, server))).writer.setNetworkInfo(server.uuid, vifs);
  }

  async password(ctx: RequestContext, server: ServerRecord): Promise<string> {
    if (!server.cell_uuid) {
      return '';
    }
    return (await cellDb(await this.cellOf(ctx, server))).servers.password(server.uuid);
  }

  async clearPassword(ctx: RequestContext, server: ServerRecord): Promise<void> {
    if (server.cell_uuid) {
      await (await cellDb(await this.cellOf(ctx, server))).writer.setPassword(server.uuid, null);
    }
  }

  diagnostics(ctx: RequestContext, server: ServerRecord): Promise<ServerDiagnostics> {
    return this.operations.diagnostics(ctx, server);
  }

  externalEvent(ctx: RequestContext, server: ServerRecord, event: ExternalEvent): Promise<boolean> {
    return this.operations.externalEvent(ctx, server, event);
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

  move(ctx: RequestContext, server: ServerRecord, move: ServerMove, caller: Caller): Promise<void> {
    return this.moves.move(ctx, server, move, caller);
  }

  finishResize(
    ctx: RequestContext,
    server: ServerRecord,
    how: 'confirm' | 'revert',
    caller: Caller,
  ): Promise<void> {
    return this.moves.finishResize(ctx, server, how, caller);
  }

  serverMigrations(ctx: RequestContext, server: ServerRecord): Promise<MigrationRecord[]> {
    return this.moves.serverMigrations(ctx, server);
  }

  serverMigration(
    ctx: RequestContext,
    server: ServerRecord,
    id: number,
  ): Promise<MigrationRecord | null> {
    return this.moves.serverMigration(ctx, server, id);
  }

  controlLiveMigration(
    ctx: RequestContext,
    server: ServerRecord,
    id: number,
    action: 'force_complete' | 'abort',
    options: { abortQueued: boolean },
    caller: Caller,
  ): Promise<void> {
    return this.moves.controlLiveMigration(ctx, server, id, action, options, caller);
  }

  migrations(ctx: RequestContext, query: MigrationListQuery): Promise<MigrationRecord[]> {
    return this.migrationListing.list(ctx, query);
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

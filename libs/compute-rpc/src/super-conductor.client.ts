import type { RequestContext } from '@nova/common';
import type { RpcTransport } from '@nova/rpc';
import { pinnedEnvelope, type RpcVersionPins } from './rpc-version-pins';
import type { WireMoveRequest } from './move-types';
import type { WireRequestSpec } from './wire-types';
import { CONDUCTOR_TOPIC } from './topics';

/** What a create tells its guests once, through the build (never stored). */
export interface BuildSecrets {
  readonly admin_password?: string | null;
  readonly injected_files?: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
}

/** The API-level ("super") conductor, reached on the API-level queue. */
export class SuperConductorClient {
  constructor(
    private readonly mq: RpcTransport,
    private readonly timeoutMs = 60_000,
    /** The version caps; by default the process's (`[upgrade_levels] conductor`). */
    private readonly pins?: RpcVersionPins,
  ) {}

  private envelope(ctx: RequestContext, method: string, args: Record<string, unknown>) {
    return pinnedEnvelope(ctx, 'conductor', method, args, this.pins);
  }

  /**
   * Schedule the build requests of these instances and build them in their
   * cells. The admin password and personality files go with the cast only
   * (as in Nova): they reach the hosts' config drives and are never stored.
   * The request spec (the one the API stored for them) goes along as in Nova,
   * so the conductor need not read it back (conductor RPC 1.26).
   */
  async scheduleAndBuild(
    ctx: RequestContext,
    instanceUuids: readonly string[],
    secrets: BuildSecrets = {},
    requestSpec?: WireRequestSpec,
  ): Promise<void> {
    await this.mq.cast(
      { topic: CONDUCTOR_TOPIC },
      await this.envelope(ctx, 'schedule_and_build_instances', {
        instance_uuids: instanceUuids,
        ...secrets,
        ...(requestSpec ? { request_spec: requestSpec } : {}),
      }),
    );
  }

  /**
   * Schedule a SHELVED_OFFLOADED instance again and spawn it on the chosen
   * host (its task state is `unshelving`). `authToken`: the user's token for
   * the image service (see WireSnapshot); `host`: 2.91's requested host.
   */
  async unshelve(
    ctx: RequestContext,
    instanceUuid: string,
    options: { authToken: string | null; host: string | null },
  ): Promise<void> {
    await this.mq.cast(
      { topic: CONDUCTOR_TOPIC },
      await this.envelope(ctx, 'unshelve_instance', {
        instance_uuid: instanceUuid,
        auth_token: options.authToken,
        host: options.host,
      }),
    );
  }

  /**
   * Start a move (Nova's migrate_server / live_migrate_instance / rebuild for
   * an evacuation): the migration record, the allocations and the scheduler.
   * Waited for (`wait`), it fails with NoValidHost when no host takes the
   * server, everything undone; cast, that failure is recorded on the
   * migration and the instance only.
   */
  async migrateServer(
    ctx: RequestContext,
    request: WireMoveRequest,
    options: { wait: boolean },
  ): Promise<void> {
    const message = await this.envelope(ctx, 'migrate_server', { request });
    if (!options.wait) {
      await this.mq.cast({ topic: CONDUCTOR_TOPIC }, message);
      return;
    }
    await this.mq.call({ topic: CONDUCTOR_TOPIC }, message, this.timeoutMs);
  }

  /**
   * Confirm or revert a cross-cell resize: the API swapped the instance and
   * the migration in the cell the server is mapped to; the super conductor
   * reaches both cells. Cast, the server leaves VERIFY_RESIZE when it is
   * done; waited for (a delete confirms first), it is done on return.
   */
  async finishCrossCellResize(
    ctx: RequestContext,
    instanceUuid: string,
    migrationUuid: string,
    how: 'confirm' | 'revert',
    options: { wait?: boolean } = {},
  ): Promise<void> {
    const message = await this.envelope(
      ctx,
      how === 'confirm' ? 'confirm_snapshot_based_resize' : 'revert_snapshot_based_resize',
      { instance_uuid: instanceUuid, migration_uuid: migrationUuid },
    );
    if (options.wait) {
      await this.mq.call({ topic: CONDUCTOR_TOPIC }, message, this.timeoutMs);
      return;
    }
    await this.mq.cast({ topic: CONDUCTOR_TOPIC }, message);
  }
}

import type { RequestContext } from '@nova/common';
import { ConfigError } from '@nova/config';
import { getLogger } from '@nova/logging';
import {
  compareRpcVersions,
  envelope,
  isRpcVersion,
  parseRpcVersion,
  type RpcEnvelope,
} from '@nova/rpc';
import { RPC_APIS, versionedMessage, type RpcApi } from './rpc-apis';
import { rpcVersionsOf, SERVICE_VERSION_ALIASES } from './service-versions';

const log = getLogger('rpc-version-pins');

/** `[upgrade_levels]`: per API, unset (what we speak), `auto`, `X.Y` or a release name. */
export type UpgradeLevels = Readonly<Partial<Record<RpcApi, string | undefined>>>;

/**
 * The lowest service version the live services of a binary record (the
 * `services` table, every cell), or null when there are none.
 */
export type MinServiceVersion = (binary: string) => Promise<number | null>;

/** How long `auto` keeps a resolved cap before reading the services again. */
export const AUTO_REFRESH_MS = 60_000;

const BINARY: Readonly<Record<RpcApi, string>> = {
  compute: 'nova-compute',
  conductor: 'nova-conductor',
  scheduler: 'nova-scheduler',
};

type Level = { kind: 'fixed'; version: string } | { kind: 'auto' };

/**
 * The version caps of one process's RPC clients (Nova's rpcapi version_cap):
 * a fixed pin, or `auto`, the version the oldest running service of the
 * receiving binary speaks, read through `minServiceVersion` and kept for
 * `refreshMs` (Nova keeps it until SIGHUP; we re-read so a finished upgrade
 * lifts the cap without a restart).
 */
export class RpcVersionPins {
  private readonly levels: Readonly<Record<RpcApi, Level>>;
  private readonly resolved = new Map<RpcApi, { version: string; at: number }>();
  private readonly pending = new Map<RpcApi, Promise<string>>();

  constructor(
    levels: UpgradeLevels = {},
    private readonly minServiceVersion?: MinServiceVersion,
    private readonly refreshMs = AUTO_REFRESH_MS,
  ) {
    this.levels = {
      compute: parseLevel('compute', levels.compute),
      conductor: parseLevel('conductor', levels.conductor),
      scheduler: parseLevel('scheduler', levels.scheduler),
    };
  }

  /** The highest version a message to `api` may carry now. */
  async cap(api: RpcApi): Promise<string> {
    const level = this.levels[api];
    if (level.kind === 'fixed') {
      return level.version;
    }
    const cached = this.resolved.get(api);
    if (cached && Date.now() - cached.at < this.refreshMs) {
      return cached.version;
    }
    let pending = this.pending.get(api);
    if (!pending) {
      pending = this.resolveAuto(api, cached?.version).finally(() => this.pending.delete(api));
      this.pending.set(api, pending);
    }
    return pending;
  }

  private async resolveAuto(api: RpcApi, previous: string | undefined): Promise<string> {
    const current = RPC_APIS[api].current;
    if (!this.minServiceVersion) {
      return current;
    }
    let min: number | null;
    try {
      min = await this.minServiceVersion(BINARY[api]);
    } catch (err) {
      log.warn(
        { api, err: String(err), cap: previous ?? current },
        'could not read service versions',
      );
      return previous ?? current;
    }
    if (min === null) {
      // No such service yet: nothing to be compatible with, and nothing to keep (as Nova).
      return current;
    }
    const version = lowest(rpcVersionsOf(min)[api], current);
    if (version !== previous) {
      log.info({ api, minServiceVersion: min, cap: version }, 'RPC version cap (auto)');
    }
    this.resolved.set(api, { version, at: Date.now() });
    return version;
  }
}

function lowest(a: string, b: string): string {
  return compareRpcVersions(a, b) < 0 ? a : b;
}

/** Release names, matched as Nova does (any case). */
const RELEASES = new Map(
  Object.entries(SERVICE_VERSION_ALIASES).map(([name, v]) => [name.toLowerCase(), v]),
);

function parseLevel(api: RpcApi, text: string | undefined): Level {
  const current = RPC_APIS[api].current;
  const value = text?.trim() ?? '';
  if (value === '') {
    return { kind: 'fixed', version: current };
  }
  if (value.toLowerCase() === 'auto') {
    return { kind: 'auto' };
  }
  const release = RELEASES.get(value.toLowerCase());
  if (release !== undefined) {
    return { kind: 'fixed', version: rpcVersionsOf(release)[api] };
  }
  if (!isRpcVersion(value)) {
    throw new ConfigError(
      `[upgrade_levels] ${api} = ${value}: expected auto, a version X.Y or a release name (${[
        ...Object.keys(SERVICE_VERSION_ALIASES),
      ].join(', ')})`,
    );
  }
  const first = RPC_APIS[api].first;
  // Another major, or older than we ever spoke: no message could be sent.
  if (
    parseRpcVersion(value).major !== parseRpcVersion(current).major ||
    compareRpcVersions(value, first) < 0
  ) {
    throw new ConfigError(
      `[upgrade_levels] ${api} = ${value}: this release speaks ${api} RPC ${first} to ${current}`,
    );
  }
  return { kind: 'fixed', version: value };
}

/**
 * The lowest service versions of its cell, as the cell conductor answers each
 * heartbeat of a compute host: `auto` for nova-compute, which reads no database.
 */
export class ReportedServiceVersions {
  private versions: Readonly<Record<string, number>> = {};

  update(versions: Readonly<Record<string, number>> | undefined): void {
    if (versions) {
      this.versions = versions;
    }
  }

  readonly min: MinServiceVersion = (binary) => Promise.resolve(this.versions[binary] ?? null);
}

let installed = new RpcVersionPins();

/** This process's caps, read by every RPC client built without its own. */
export function installRpcVersionPins(pins: RpcVersionPins): void {
  installed = pins;
}

export function rpcVersionPins(): RpcVersionPins {
  return installed;
}

/**
 * The envelope of a message to `api`, at the version its method and
 * arguments need, within the cap (see versionedMessage).
 */
export async function pinnedEnvelope(
  ctx: RequestContext,
  api: RpcApi,
  method: string,
  args: Record<string, unknown>,
  pins: RpcVersionPins = installed,
): Promise<RpcEnvelope> {
  const message = versionedMessage(api, RPC_APIS[api], await pins.cap(api), method, args);
  return envelope(ctx, method, message.args, message.version);
}

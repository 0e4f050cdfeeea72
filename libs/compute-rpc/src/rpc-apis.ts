import { isCompatibleRpcVersion, compareRpcVersions, UnsupportedVersion } from '@nova/rpc';
import { COMPUTE_RPC_VERSION, CONDUCTOR_RPC_VERSION, SCHEDULER_RPC_VERSION } from './topics';

/** The RPC APIs `[upgrade_levels]` pins, by their option names. */
export type RpcApi = 'compute' | 'conductor' | 'scheduler';

/** An argument newer than its method, and what a sender pinned below it does. */
export interface NewerArgument {
  readonly since: string;
  /** `drop`: the receiver does without it (Nova's can_send_version downgrade); `refuse`: it cannot. */
  readonly older: 'drop' | 'refuse';
}

export interface RpcApiVersions {
  /** What this release speaks. */
  readonly current: string;
  /** The oldest version of the major we spoke: a method not listed below exists since then. */
  readonly first: string;
  /** Only methods, or arguments, newer than `first`. */
  readonly methods: Readonly<
    Record<
      string,
      { readonly since?: string; readonly args?: Readonly<Record<string, NewerArgument>> }
    >
  >;
}

/** Each RPC API's versioned methods: a minor bump adds a line here. */
export const RPC_APIS: Readonly<Record<RpcApi, RpcApiVersions>> = {
  compute: {
    current: COMPUTE_RPC_VERSION,
    first: '6.0',
    methods: {
      // An older host sends the whole log; the API trims it anyway.
      get_console_output: { args: { tail_length: { since: '6.1', older: 'drop' } } },
    },
  },
  conductor: {
    current: CONDUCTOR_RPC_VERSION,
    first: '1.25',
    methods: {
      // An older conductor reads the request spec from the API database.
      schedule_and_build_instances: { args: { request_spec: { since: '1.26', older: 'drop' } } },
      // An older conductor records the event in a call of its own (the host sends two).
      instance_update: { args: { event: { since: '1.27', older: 'refuse' } } },
    },
  },
  scheduler: { current: SCHEDULER_RPC_VERSION, first: '4.5', methods: {} },
};

/** oslo.messaging's can_send_version: may a sender capped at `cap` send a message of `version`? */
export function canSendVersion(cap: string, version: string): boolean {
  return isCompatibleRpcVersion(cap, version);
}

/**
 * A message as a sender capped at `cap` sends it: at the lowest version that
 * carries it (receivers of that version and newer run it), arguments newer
 * than the cap dropped where the table allows; UnsupportedVersion where the
 * method, or an argument it cannot drop, is newer than the cap.
 */
export function versionedMessage(
  api: string,
  table: RpcApiVersions,
  cap: string,
  method: string,
  args: Record<string, unknown>,
): { version: string; args: Record<string, unknown> } {
  const entry = table.methods[method] ?? {};
  const refuse = (what: string, since: string) =>
    new UnsupportedVersion(
      `${what} needs ${api} RPC version ${since}, above the version cap ${cap} ([upgrade_levels] ${api}): upgrade the ${api} services first`,
      { method, version: since, cap },
    );
  let version = entry.since ?? table.first;
  if (!canSendVersion(cap, version)) {
    throw refuse(`RPC method ${method}`, version);
  }
  const out = { ...args };
  for (const [name, arg] of Object.entries(entry.args ?? {})) {
    if (out[name] === undefined) {
      continue;
    }
    if (canSendVersion(cap, arg.since)) {
      version = compareRpcVersions(arg.since, version) > 0 ? arg.since : version;
    } else if (arg.older === 'drop') {
      delete out[name];
    } else {
      throw refuse(`The ${name} argument of RPC method ${method}`, arg.since);
    }
  }
  return { version, args: out };
}

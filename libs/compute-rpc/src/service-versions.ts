import type { RpcApi } from './rpc-apis';

/**
 * The service version every service of this release records in `services`
 * (Nova's SERVICE_VERSION, counted on from Nova 2023.1's 66), and the
 * versions of the releases around it, for `nova-status upgrade check` and
 * `[upgrade_levels]` release names.
 */
export const SERVICE_VERSION = 69;

export const SERVICE_VERSION_ALIASES: Readonly<Record<string, number>> = {
  Xena: 57,
  Yoga: 61,
  Zed: 64,
  Antelope: 66,
};

/** The oldest release whose computes this one still talks to (Nova 2023.1: Yoga). */
export const OLDEST_SUPPORTED_SERVICE_VERSION = 'Yoga';

/**
 * Computes report their own service version from 67 on; a report without one
 * comes from an older compute, recorded as the last version before (66).
 */
export const UNREPORTED_SERVICE_VERSION = 66;

/**
 * The RPC API versions each service version speaks (Nova's
 * SERVICE_VERSION_HISTORY): how `[upgrade_levels] <api> = auto` and a release
 * name turn the services' versions into a version cap. Newest last; an entry
 * holds until the next.
 */
const SERVICE_VERSION_HISTORY: ReadonlyArray<{ readonly service: number } & RpcVersions> = [
  // Up to 66 (Nova 2023.1): the RPC APIs as nova-ts first spoke them.
  { service: 0, compute: '6.0', conductor: '1.25', scheduler: '4.5' },
  // Compute 6.1: get_console_output takes tail_length (the host trims the log).
  { service: 67, compute: '6.1', conductor: '1.25', scheduler: '4.5' },
  // Conductor 1.26: schedule_and_build_instances carries the request spec (one read fewer).
  { service: 68, compute: '6.1', conductor: '1.26', scheduler: '4.5' },
  // Conductor 1.27: instance_update records an action event with the change (one call, not two).
  { service: 69, compute: '6.1', conductor: '1.27', scheduler: '4.5' },
];

export type RpcVersions = Readonly<Record<RpcApi, string>>;

export function rpcVersionsOf(serviceVersion: number): RpcVersions {
  const entry = SERVICE_VERSION_HISTORY.filter((e) => e.service <= serviceVersion).at(-1)!;
  return { compute: entry.compute, conductor: entry.conductor, scheduler: entry.scheduler };
}

import { Conflict } from '@nova/common';
import { allowRemoteErrors } from './rpc-errors';

/** An RPC API version `major.minor` (oslo.messaging's; we carry no revision). */
export interface RpcVersion {
  readonly major: number;
  readonly minor: number;
}

const VERSION = /^(\d+)\.(\d+)$/;

export function isRpcVersion(text: string): boolean {
  return VERSION.test(text);
}

export function parseRpcVersion(text: string): RpcVersion {
  const m = VERSION.exec(text);
  if (!m) {
    throw new TypeError(`"${text}" is not an RPC version (X.Y)`);
  }
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareRpcVersions(a: string, b: string): number {
  const x = parseRpcVersion(a);
  const y = parseRpcVersion(b);
  return x.major - y.major || x.minor - y.minor;
}

/**
 * Whether an endpoint speaking `speaks` understands a message of `version`
 * (oslo.messaging's version_is_compatible): the same major, a minor no newer.
 * A sender asks the same of its version cap (can_send_version).
 */
export function isCompatibleRpcVersion(speaks: string, version: string): boolean {
  const s = parseRpcVersion(speaks);
  const v = parseRpcVersion(version);
  return s.major === v.major && v.minor <= s.minor;
}

/**
 * A message of a version the endpoint does not speak (oslo.messaging's name):
 * raised by a receiver instead of running the method, and by a sender whose
 * `[upgrade_levels]` pin is too old for the message. A 409: the deployment is
 * mid-upgrade, the operation works once the older services are upgraded.
 */
export class UnsupportedVersion extends Conflict {}

allowRemoteErrors(UnsupportedVersion);

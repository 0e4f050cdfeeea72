import { Conflict, Invalid, NovaError } from '@nova/common';
import { allowRemoteErrors } from '@nova/rpc';

/** The console kinds a compute host serves (Nova's get_vnc/spice/serial/mks_console). */
export type ConsoleKind = 'vnc' | 'spice' | 'serial' | 'mks';

/** Where a guest's console is reached from the proxies (Nova's ConsoleVNC & co.). */
export interface WireConsoleEndpoint {
  readonly host: string;
  readonly port: number;
  readonly internal_access_path: string | null;
}

/** The console is switched off in the config, or the guest has none of that kind (400). */
export class ConsoleTypeUnavailable extends Invalid {
  constructor(consoleType: string) {
    super(`Unavailable console type ${consoleType}.`, { console_type: consoleType });
  }
}

/** A console type the protocol does not have (400). */
export class ConsoleTypeInvalid extends Invalid {
  constructor(consoleType: string) {
    super(`Invalid console type ${consoleType}`, { console_type: consoleType });
  }
}

/** The host's driver has no such console at all (Nova's NotImplementedError: 501). */
export class ConsoleNotSupported extends NovaError {
  readonly code = 501;
}

/** The guest is not running, so it has no console to reach (409, Nova's InstanceNotReady). */
export class GuestNotReady extends Conflict {
  constructor(uuid: string) {
    super(`Instance ${uuid} is not ready`, { instance_uuid: uuid });
  }
}

allowRemoteErrors(ConsoleTypeUnavailable, ConsoleTypeInvalid, ConsoleNotSupported, GuestNotReady);

/**
 * The last `length` lines of a console log (os-getConsoleOutput's `length`),
 * the whole log for null. Trimming twice changes nothing, so the API trims
 * what a host older than compute RPC 6.1 sent whole and a newer host trimmed.
 */
export function tailLines(output: string, length: number | null): string {
  if (length === null) {
    return output;
  }
  return length === 0 ? '' : output.split('\n').slice(-length).join('\n');
}

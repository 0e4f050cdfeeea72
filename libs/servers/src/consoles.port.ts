import type { RequestContext } from '@nova/common';
import type { ServerRecord } from './server-record';

/**
 * Remote consoles: the API hands out a console URL carrying a one-time token
 * and shows what a token leads to. cells/servers implements it over the
 * compute hosts (where the console is) and the cell databases (the tokens).
 */

/** remote-consoles `protocol` (rdp is refused: Nova removed its only driver). */
export type ConsoleProtocol = 'vnc' | 'spice' | 'serial' | 'rdp' | 'mks';

/** What a console token leads to (os-console-auth-tokens). */
export interface ConsoleConnection {
  readonly console_type: string;
  readonly instance_uuid: string;
  readonly host: string;
  readonly port: number;
  readonly internal_access_path: string | null;
}

export interface ConsolesPort {
  /**
   * A console URL for the server (400 unknown or disabled type, 409 not on a
   * host or not running, 501 the host's driver has none of that kind).
   */
  create(
    ctx: RequestContext,
    server: ServerRecord,
    protocol: ConsoleProtocol,
    type: string,
  ): Promise<{ url: string }>;
  /** The unexpired authorization of a token, in whichever cell holds it; null when none. */
  connection(ctx: RequestContext, token: string): Promise<ConsoleConnection | null>;
}

export const CONSOLES = Symbol('CONSOLES');

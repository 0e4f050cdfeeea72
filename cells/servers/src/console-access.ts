import { ConsoleTypeInvalid, ConsoleTypeUnavailable, type ConsoleKind } from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';
import type { ConsoleProtocol } from '@nova/servers';

/** The console a request names: the host's kind, and the public proxy URL its token goes to. */
export interface ConsoleTarget {
  readonly kind: ConsoleKind;
  readonly baseUrl: string;
}

type ConsoleConfig = Pick<NovaConfig, 'vnc' | 'spice' | 'serial_console' | 'mks'>;

/**
 * Nova's checks, in its order: the protocol switched off in the config is
 * "Unavailable console type <type>." (400), then a type the protocol does not
 * have is "Invalid console type <type>" (400; xvpvnc went with Nova's XVP
 * proxy). rdp is unavailable everywhere: its only driver (Hyper-V) is gone.
 */
export function consoleTarget(
  config: ConsoleConfig,
  protocol: ConsoleProtocol,
  type: string,
): ConsoleTarget {
  const pick = (enabled: boolean, kind: ConsoleKind, wanted: string, baseUrl: string) => {
    if (!enabled) {
      throw new ConsoleTypeUnavailable(type);
    }
    if (type !== wanted) {
      throw new ConsoleTypeInvalid(type);
    }
    return { kind, baseUrl };
  };
  switch (protocol) {
    case 'vnc':
      return pick(config.vnc.enabled, 'vnc', 'novnc', config.vnc.novncproxy_base_url);
    case 'spice':
      return pick(config.spice.enabled, 'spice', 'spice-html5', config.spice.html5proxy_base_url);
    case 'serial':
      return pick(
        config.serial_console.enabled,
        'serial',
        'serial',
        config.serial_console.base_url,
      );
    case 'mks':
      return pick(config.mks.enabled, 'mks', 'webmks', config.mks.mksproxy_base_url);
    case 'rdp':
      throw new ConsoleTypeUnavailable(type);
  }
}

/**
 * The URL handed to the user, as Nova builds it: noVNC (1.1+) takes the
 * WebSocket path, token included, in its `path` parameter; the others take
 * `token` directly.
 */
export function consoleAccessUrl(baseUrl: string, type: string, token: string): string {
  return type === 'novnc'
    ? `${baseUrl}?path=${encodeURIComponent(`?token=${token}`)}`
    : `${baseUrl}?token=${encodeURIComponent(token)}`;
}

import {
  ConsoleNotSupported,
  ConsoleTypeUnavailable,
  GuestNotReady,
  InstanceNotFound,
  type ConsoleKind,
  type WireConsoleEndpoint,
} from '@nova/compute-rpc';
import { PowerState } from '@nova/compute-state';
import { ConsoleUnavailable, UnsupportedConsole, type VirtDriver } from '@nova/cells/virt';

/**
 * get_console_endpoint: where the proxies reach the guest's console, with the
 * driver's refusals turned into the API's faults (404 no such guest here, 409
 * not running, 400 no such console, 501 the driver has none of that kind).
 */
export async function consoleEndpoint(
  driver: VirtDriver,
  uuid: string,
  kind: ConsoleKind,
): Promise<WireConsoleEndpoint> {
  if ((await driver.powerState(uuid)) === PowerState.NOSTATE) {
    throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
  }
  try {
    const endpoint = await driver.consoleEndpoint(uuid, kind);
    return {
      host: endpoint.host,
      port: endpoint.port,
      internal_access_path: endpoint.internalAccessPath,
    };
  } catch (err) {
    if (err instanceof ConsoleUnavailable) {
      throw err.notRunning ? new GuestNotReady(uuid) : new ConsoleTypeUnavailable(kind);
    }
    if (err instanceof UnsupportedConsole) {
      throw new ConsoleNotSupported('The requested functionality is not supported.');
    }
    throw err;
  }
}

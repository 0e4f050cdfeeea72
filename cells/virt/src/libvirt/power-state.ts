import { PowerState } from '@nova/compute-state';
import { DomainState } from './binding';

/**
 * Nova's mapping of libvirt domain states (nova/virt/libvirt/guest.py
 * LIBVIRT_POWER_STATE). A shut-off domain with a saved image is a suspended
 * instance, which Nova can only tell from its database; we can, so say so.
 */
export function powerStateOf(domainState: number, hasSavedImage = false): PowerState {
  switch (domainState) {
    case DomainState.RUNNING:
    case DomainState.BLOCKED:
      return PowerState.RUNNING;
    case DomainState.PAUSED:
      return PowerState.PAUSED;
    case DomainState.SHUTDOWN:
      return PowerState.SHUTDOWN;
    case DomainState.SHUTOFF:
      return hasSavedImage ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
    case DomainState.CRASHED:
      return PowerState.CRASHED;
    case DomainState.PMSUSPENDED:
      return PowerState.SUSPENDED;
    default:
      return PowerState.NOSTATE;
  }
}

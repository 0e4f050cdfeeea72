import { PowerState } from '@nova/compute-state';
import { powerStateOf } from './power-state';

describe('libvirt domain state to Nova power state', () => {
  it('maps every virDomainState as Nova does', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((s) => powerStateOf(s))).toEqual([
      PowerState.NOSTATE,
      PowerState.RUNNING,
      PowerState.RUNNING,
      PowerState.PAUSED,
      PowerState.SHUTDOWN,
      PowerState.SHUTDOWN,
      PowerState.CRASHED,
      PowerState.SUSPENDED,
    ]);
    expect(powerStateOf(99)).toBe(PowerState.NOSTATE);
  });

  it('calls a shut-off domain with a saved memory image suspended', () => {
    expect(powerStateOf(5, true)).toBe(PowerState.SUSPENDED);
    expect(powerStateOf(1, true)).toBe(PowerState.RUNNING);
  });
});

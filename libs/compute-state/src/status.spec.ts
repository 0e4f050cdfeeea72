import { checkActionAllowed, InstanceInvalidState, InstanceIsLocked } from './allowed-states';
import { TaskState, VmState } from './states';
import { statesForStatus, statusFromState } from './status';

describe('statusFromState (Nova _STATE_MAP)', () => {
  it.each([
    ['active', null, 'ACTIVE'],
    ['active', 'rebooting', 'REBOOT'],
    ['active', 'reboot_started_hard', 'HARD_REBOOT'],
    ['active', 'updating_password', 'PASSWORD'],
    ['active', 'resize_prep', 'RESIZE'],
    ['active', 'powering-off', 'ACTIVE'],
    ['building', 'spawning', 'BUILD'],
    ['stopped', null, 'SHUTOFF'],
    ['stopped', 'rebuild_spawning', 'REBUILD'],
    ['resized', 'resize_reverting', 'REVERT_RESIZE'],
    ['paused', 'migrating', 'MIGRATING'],
    ['error', null, 'ERROR'],
    ['soft-delete', null, 'SOFT_DELETED'],
    ['shelved_offloaded', null, 'SHELVED_OFFLOADED'],
    ['banana', null, 'UNKNOWN'],
    [null, null, 'UNKNOWN'],
  ])('(%s, %s) -> %s', (vm, task, status) => {
    expect(statusFromState(vm, task)).toBe(status);
  });

  it('reverses statuses for the list filter', () => {
    expect(statesForStatus('shutoff')).toEqual([{ vmState: 'stopped', taskStates: 'default' }]);
    expect(statesForStatus('REBOOT')).toEqual([
      { vmState: 'active', taskStates: ['rebooting', 'reboot_pending', 'reboot_started'] },
    ]);
    expect(
      statesForStatus('REBUILD')
        .map((s) => s.vmState)
        .sort(),
    ).toEqual(['active', 'error', 'stopped']);
    expect(statesForStatus('NOPE')).toEqual([]);
  });
});

describe('checkActionAllowed', () => {
  const base = {
    uuid: 'u1',
    vm_state: VmState.ACTIVE as string,
    task_state: null as string | null,
    locked: false,
    launched_at: new Date(),
  };

  it('allows an action from its states', () => {
    expect(() => checkActionAllowed('stop', base, false)).not.toThrow();
    expect(() =>
      checkActionAllowed('rebootHard', { ...base, task_state: TaskState.REBOOTING }, false),
    ).not.toThrow();
    expect(() =>
      checkActionAllowed(
        'delete',
        { ...base, vm_state: VmState.BUILDING, task_state: TaskState.SPAWNING, launched_at: null },
        false,
      ),
    ).not.toThrow();
  });

  it("refuses other states with Nova's 409 messages", () => {
    expect(() => checkActionAllowed('start', base, false)).toThrow(
      new InstanceInvalidState("Cannot 'start' instance u1 while it is in vm_state active"),
    );
    expect(() =>
      checkActionAllowed('rebootSoft', { ...base, task_state: TaskState.POWERING_OFF }, false),
    ).toThrow("Cannot 'reboot' instance u1 while it is in task_state powering-off");
  });

  it('refuses a locked instance to non-admins only', () => {
    expect(() => checkActionAllowed('stop', { ...base, locked: true }, false)).toThrow(
      InstanceIsLocked,
    );
    expect(() => checkActionAllowed('stop', { ...base, locked: true }, true)).not.toThrow();
  });
});

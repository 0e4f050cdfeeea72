import { Conflict } from '@nova/common';
import { TaskState, VmState } from './states';

/** Which states an action may start from (Nova's check_instance_state). undefined = any. */
export interface StateRule {
  readonly vmStates?: readonly string[];
  /** Allowed task states; default [null] (idle). undefined-any is written as 'any'. */
  readonly taskStates?: ReadonlyArray<string | null> | 'any';
  /** Refuse while locked unless the caller is an admin. */
  readonly lockCheck?: boolean;
  /** Requires launched_at (a server that never finished building cannot do this). */
  readonly mustHaveLaunched?: boolean;
}

export const ACTION_RULES = {
  delete: { taskStates: 'any', lockCheck: true, mustHaveLaunched: false },
  forceDelete: { taskStates: 'any', lockCheck: true, mustHaveLaunched: false },
  stop: { vmStates: [VmState.ACTIVE, VmState.ERROR], lockCheck: true },
  start: { vmStates: [VmState.STOPPED], lockCheck: true },
  rebootSoft: { vmStates: [VmState.ACTIVE], lockCheck: true },
  rebootHard: {
    vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED, VmState.ERROR],
    taskStates: [
      null,
      TaskState.REBOOTING,
      TaskState.REBOOT_PENDING,
      TaskState.REBOOT_STARTED,
      TaskState.RESUMING,
      TaskState.REBOOTING_HARD,
      TaskState.UNPAUSING,
      TaskState.PAUSING,
      TaskState.SUSPENDING,
    ],
    lockCheck: true,
  },
  pause: { vmStates: [VmState.ACTIVE], lockCheck: true },
  unpause: { vmStates: [VmState.PAUSED], lockCheck: true },
  suspend: { vmStates: [VmState.ACTIVE], lockCheck: true },
  resume: { vmStates: [VmState.SUSPENDED], lockCheck: true },
  rebuild: { vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], lockCheck: true },
  rescue: { vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], lockCheck: true },
  unrescue: { vmStates: [VmState.RESCUED], lockCheck: true },
  changePassword: { vmStates: [VmState.ACTIVE], lockCheck: true },
  crashDump: {
    vmStates: [VmState.ACTIVE, VmState.PAUSED, VmState.RESCUED, VmState.RESIZED, VmState.ERROR],
    lockCheck: true,
  },
  injectNetworkInfo: { taskStates: 'any', lockCheck: true, mustHaveLaunched: false },
  softDelete: { taskStates: 'any', lockCheck: true },
  restore: { vmStates: [VmState.SOFT_DELETED], lockCheck: true },
  resize: { vmStates: [VmState.ACTIVE, VmState.STOPPED], lockCheck: true },
  migrate: { vmStates: [VmState.ACTIVE, VmState.STOPPED], lockCheck: true },
  confirmResize: { vmStates: [VmState.RESIZED], lockCheck: true },
  revertResize: { vmStates: [VmState.RESIZED], lockCheck: true },
  liveMigrate: { vmStates: [VmState.ACTIVE, VmState.PAUSED], lockCheck: true },
  forceComplete: {
    vmStates: [VmState.ACTIVE],
    taskStates: [TaskState.MIGRATING],
    lockCheck: true,
  },
  abortLiveMigration: { taskStates: [TaskState.MIGRATING], lockCheck: true },
  evacuate: { vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR] },
  // Nova checks no lock for snapshots and backups.
  createImage: { vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED] },
  createBackup: { vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED] },
  shelve: {
    vmStates: [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED],
    lockCheck: true,
  },
  shelveOffload: { vmStates: [VmState.SHELVED], lockCheck: true },
  unshelve: { vmStates: [VmState.SHELVED, VmState.SHELVED_OFFLOADED], lockCheck: true },
  updateMetadata: {
    vmStates: [VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED],
    taskStates: 'any',
    lockCheck: true,
  },
} as const satisfies Record<string, StateRule>;

export type ServerAction = keyof typeof ACTION_RULES;

/** Nova's API action names, for its 409 messages ("Cannot 'os-stop' instance ..."). */
export const ACTION_API_NAMES: Record<ServerAction, string> = {
  delete: 'delete',
  forceDelete: 'forceDelete',
  stop: 'stop',
  start: 'start',
  rebootSoft: 'reboot',
  rebootHard: 'reboot',
  pause: 'pause',
  unpause: 'unpause',
  suspend: 'suspend',
  resume: 'resume',
  rebuild: 'rebuild',
  rescue: 'rescue',
  unrescue: 'unrescue',
  changePassword: 'changePassword',
  crashDump: 'trigger_crash_dump',
  injectNetworkInfo: 'inject_network_info',
  softDelete: 'soft_delete',
  restore: 'restore',
  updateMetadata: 'update_metadata',
  resize: 'resize',
  migrate: 'migrate',
  confirmResize: 'confirmResize',
  revertResize: 'revertResize',
  liveMigrate: 'os-migrateLive',
  forceComplete: 'force_complete',
  abortLiveMigration: 'abort live migration',
  evacuate: 'evacuate',
  createImage: 'createImage',
  createBackup: 'createBackup',
  shelve: 'shelve',
  shelveOffload: 'shelveOffload',
  unshelve: 'unshelve',
};

export class InstanceInvalidState extends Conflict {}
export class InstanceIsLocked extends Conflict {}

export interface InstanceStateView {
  readonly uuid: string;
  readonly vm_state: string | null;
  readonly task_state: string | null;
  readonly locked: boolean;
  readonly launched_at: Date | null;
}

/**
 * Throw 409 (InstanceIsLocked / InstanceInvalidState, with Nova's messages)
 * unless `action` may start from the instance's current state.
 */
export function checkActionAllowed(
  action: ServerAction,
  instance: InstanceStateView,
  isAdmin: boolean,
): void {
  const rule: StateRule = ACTION_RULES[action];
  if (rule.lockCheck && instance.locked && !isAdmin) {
    throw new InstanceIsLocked(`Instance ${instance.uuid} is locked`);
  }
  const name = ACTION_API_NAMES[action];
  if (rule.vmStates && !rule.vmStates.includes(instance.vm_state ?? '')) {
    throw new InstanceInvalidState(
      `Cannot '${name}' instance ${instance.uuid} while it is in vm_state ${instance.vm_state ?? 'None'}`,
    );
  }
  const taskStates = rule.taskStates ?? [null];
  if (taskStates !== 'any' && !taskStates.includes(instance.task_state)) {
    throw new InstanceInvalidState(
      `Cannot '${name}' instance ${instance.uuid} while it is in task_state ${instance.task_state ?? 'None'}`,
    );
  }
  if (
    (rule.mustHaveLaunched ?? true) &&
    !instance.launched_at &&
    instance.vm_state !== VmState.ERROR
  ) {
    throw new InstanceInvalidState(
      `Cannot '${name}' instance ${instance.uuid} while it is in vm_state ${instance.vm_state ?? 'None'}`,
    );
  }
}

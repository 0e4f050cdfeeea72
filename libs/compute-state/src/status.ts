import { TaskState, VmState } from './states';

const REBOOT = [TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED];
const HARD_REBOOT = [
  TaskState.REBOOTING_HARD,
  TaskState.REBOOT_PENDING_HARD,
  TaskState.REBOOT_STARTED_HARD,
];
const REBUILD = [
  TaskState.REBUILDING,
  TaskState.REBUILD_BLOCK_DEVICE_MAPPING,
  TaskState.REBUILD_SPAWNING,
];
const RESIZE = [
  TaskState.RESIZE_PREP,
  TaskState.RESIZE_MIGRATING,
  TaskState.RESIZE_MIGRATED,
  TaskState.RESIZE_FINISH,
];

/**
 * The API status of a (vm_state, task_state) pair: Nova's _STATE_MAP. Each
 * vm_state has a default status and task-state overrides.
 */
const STATE_MAP: Record<string, { default: string } & Record<string, string>> = {
  [VmState.ACTIVE]: {
    default: 'ACTIVE',
    ...Object.fromEntries(REBOOT.map((t) => [t, 'REBOOT'])),
    ...Object.fromEntries(HARD_REBOOT.map((t) => [t, 'HARD_REBOOT'])),
    [TaskState.UPDATING_PASSWORD]: 'PASSWORD',
    ...Object.fromEntries(REBUILD.map((t) => [t, 'REBUILD'])),
    [TaskState.MIGRATING]: 'MIGRATING',
    ...Object.fromEntries(RESIZE.map((t) => [t, 'RESIZE'])),
  },
  [VmState.BUILDING]: { default: 'BUILD' },
  [VmState.STOPPED]: {
    default: 'SHUTOFF',
    ...Object.fromEntries(RESIZE.map((t) => [t, 'RESIZE'])),
    ...Object.fromEntries(REBUILD.map((t) => [t, 'REBUILD'])),
  },
  [VmState.RESIZED]: { default: 'VERIFY_RESIZE', [TaskState.RESIZE_REVERTING]: 'REVERT_RESIZE' },
  [VmState.PAUSED]: { default: 'PAUSED', [TaskState.MIGRATING]: 'MIGRATING' },
  [VmState.SUSPENDED]: { default: 'SUSPENDED' },
  [VmState.RESCUED]: { default: 'RESCUE' },
  [VmState.ERROR]: { default: 'ERROR', ...Object.fromEntries(REBUILD.map((t) => [t, 'REBUILD'])) },
  [VmState.DELETED]: { default: 'DELETED' },
  [VmState.SOFT_DELETED]: { default: 'SOFT_DELETED' },
  [VmState.SHELVED]: { default: 'SHELVED' },
  [VmState.SHELVED_OFFLOADED]: { default: 'SHELVED_OFFLOADED' },
};

export function statusFromState(vmState: string | null, taskState: string | null): string {
  const entry = vmState ? STATE_MAP[vmState] : undefined;
  if (!entry) {
    return 'UNKNOWN';
  }
  return (taskState ? entry[taskState] : undefined) ?? entry.default;
}

/** The statuses a server shows its fault in (Nova's view builder); a listing reads no other's. */
const FAULT_STATUSES: readonly string[] = ['ERROR', 'DELETED'];

export function showsFault(vmState: string | null, taskState: string | null): boolean {
  return FAULT_STATUSES.includes(statusFromState(vmState, taskState));
}

/** Every status the API knows, for validating the `status` filter (400 for others from 2.38). */
export const SERVER_STATUSES = [
  'ACTIVE',
  'BUILD',
  'DELETED',
  'ERROR',
  'HARD_REBOOT',
  'MIGRATING',
  'PASSWORD',
  'PAUSED',
  'REBOOT',
  'REBUILD',
  'RESCUE',
  'RESIZE',
  'REVERT_RESIZE',
  'SHELVED',
  'SHELVED_OFFLOADED',
  'SHUTOFF',
  'SOFT_DELETED',
  'SUSPENDED',
  'UNKNOWN',
  'VERIFY_RESIZE',
] as const;

/**
 * The reverse of the map, for the `status` list filter: the (vm_state,
 * task_state) pairs a status stands for. `taskStates` undefined means "any task
 * state that does not map to another status"; the caller filters precisely.
 */
export function statesForStatus(
  status: string,
): Array<{ vmState: string; taskStates: Array<string | null> | 'default' }> {
  const wanted = status.toUpperCase();
  const out: Array<{ vmState: string; taskStates: Array<string | null> | 'default' }> = [];
  for (const [vmState, entry] of Object.entries(STATE_MAP)) {
    const overrides = Object.entries(entry)
      .filter(([k, v]) => k !== 'default' && v === wanted)
      .map(([k]) => k);
    if (entry.default === wanted) {
      out.push({ vmState, taskStates: 'default' });
    }
    if (overrides.length > 0) {
      out.push({ vmState, taskStates: overrides });
    }
  }
  return out;
}

/** Task states that override the default status of a vm_state (excluded when filtering by the default). */
export function overridingTaskStates(vmState: string): string[] {
  return Object.keys(STATE_MAP[vmState] ?? {}).filter((k) => k !== 'default');
}

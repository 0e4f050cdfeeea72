import type { DataSource } from 'typeorm';
import { describeError, type RequestContext } from '@nova/common';
import { getLogger } from '@nova/logging';
import { notifier, processPublisherId, type Notifier } from '@nova/notifications';
import {
  createPayloadFields,
  instancePayloadFields,
  novaObject,
  readInstanceSnapshot,
  type InstanceSnapshot,
} from './instance-payload';
import { legacyInstancePayload } from './legacy-payload';

const log = getLogger('notifications');

type Phase = 'start' | 'end' | 'error';

/** Which payload class an action's notifications carry (Nova's names and versions). */
const PAYLOADS = {
  action: { name: 'InstanceActionPayload', version: '1.7' },
  create: { name: 'InstanceCreatePayload', version: '1.11' },
  rebuild: { name: 'InstanceActionRebuildPayload', version: '1.8' },
  rescue: { name: 'InstanceActionRescuePayload', version: '1.2' },
  snapshot: { name: 'InstanceActionSnapshotPayload', version: '1.8' },
} as const;

interface ActionNotice {
  /** `power_off` in `instance.power_off.start`. */
  readonly action: string;
  readonly payload: keyof typeof PAYLOADS;
  /** Nova sends `<action>.error` for these; the others only start and end. */
  readonly error?: true;
  /** Only these phases (an end sent elsewhere, as delete.end once the row is deleted). */
  readonly phases?: readonly Phase[];
}

/** The compute's instance-action events (Nova's) and the notifications they mean. */
export const ACTION_NOTICES: Readonly<Record<string, ActionNotice>> = {
  compute_build_and_run_instance: { action: 'create', payload: 'create', error: true },
  compute_terminate_instance: { action: 'delete', payload: 'action', phases: ['start'] },
  compute_stop_instance: { action: 'power_off', payload: 'action' },
  compute_start_instance: { action: 'power_on', payload: 'action' },
  compute_reboot_instance: { action: 'reboot', payload: 'action', error: true },
  compute_pause_instance: { action: 'pause', payload: 'action' },
  compute_unpause_instance: { action: 'unpause', payload: 'action' },
  compute_suspend_instance: { action: 'suspend', payload: 'action' },
  compute_resume_instance: { action: 'resume', payload: 'action' },
  compute_rescue_instance: { action: 'rescue', payload: 'rescue' },
  compute_unrescue_instance: { action: 'unrescue', payload: 'action' },
  compute_soft_delete_instance: { action: 'soft_delete', payload: 'action' },
  compute_restore_instance: { action: 'restore', payload: 'action' },
  compute_trigger_crash_dump: { action: 'trigger_crash_dump', payload: 'action' },
  compute_shelve_instance: { action: 'shelve', payload: 'action' },
  compute_shelve_offload_instance: { action: 'shelve_offload', payload: 'action' },
  compute_unshelve_instance: { action: 'unshelve', payload: 'action' },
  compute_rebuild_instance: { action: 'rebuild', payload: 'rebuild', error: true },
  compute_snapshot_instance: { action: 'snapshot', payload: 'snapshot' },
  compute_backup_instance: { action: 'snapshot', payload: 'snapshot' },
  compute_resize_instance: { action: 'resize', payload: 'action', error: true },
  compute_finish_resize: { action: 'resize_finish', payload: 'action' },
  compute_confirm_resize: { action: 'resize_confirm', payload: 'action' },
  compute_revert_resize: { action: 'resize_revert', payload: 'action' },
  compute_live_migration_abort: { action: 'live_migration_abort', payload: 'action' },
  compute_live_migration_force_complete: {
    action: 'live_migration_force_complete',
    payload: 'action',
  },
};

const PHASE_OF = { start: 'start', Success: 'end', Error: 'error' } as const;

/**
 * The notifications of one instance-action event a compute host reported
 * (start, Success or Error), published as that host (`nova-compute:<host>`).
 */
export async function notifyActionEvent(
  ds: DataSource,
  ctx: RequestContext,
  event: {
    uuid: string;
    event: string;
    host: string;
    result: keyof typeof PHASE_OF;
    details: string | null;
  },
  n: Notifier = notifier(),
): Promise<void> {
  const notice = ACTION_NOTICES[event.event];
  const phase = PHASE_OF[event.result];
  if (!n.enabled || !notice || (phase === 'error' && !notice.error)) {
    return;
  }
  if (notice.phases && !notice.phases.includes(phase)) {
    return;
  }
  const fault =
    phase === 'error' ? faultPayload(event.event, event.details ?? 'Unknown error') : null;
  await notifyAction(ds, ctx, event.uuid, notice, phase, `nova-compute:${event.host}`, fault, n);
}

/** instance.delete.end, once the instance is deleted (its payload shows it so). */
export async function notifyDeleted(
  ds: DataSource,
  ctx: RequestContext,
  uuid: string,
  n: Notifier = notifier(),
): Promise<void> {
  if (!n.enabled) {
    return;
  }
  const notice = ACTION_NOTICES['compute_terminate_instance'];
  await notifyAction(ds, ctx, uuid, notice, 'end', null, null, n);
}

async function notifyAction(
  ds: DataSource,
  ctx: RequestContext,
  uuid: string,
  notice: ActionNotice,
  phase: Phase,
  publisherId: string | null,
  fault: ReturnType<typeof faultPayload> | null,
  n: Notifier,
): Promise<void> {
  await guarded(`instance.${notice.action}.${phase}`, async () => {
    const snapshot = await readInstanceSnapshot(ds, uuid);
    if (!snapshot) {
      return;
    }
    const publisher = publisherId ?? `nova-compute:${snapshot.row.host ?? 'unknown'}`;
    const payloadClass = PAYLOADS[notice.payload];
    const data: Record<string, unknown> = {
      ...instancePayloadFields(ctx, snapshot),
      fault,
      ...(notice.payload === 'create' ? createPayloadFields(snapshot) : {}),
      ...(notice.payload === 'rebuild' ? { trusted_image_certificates: null } : {}),
      ...(notice.payload === 'rescue' ? { rescue_image_ref: null } : {}),
      ...(notice.payload === 'snapshot' ? { snapshot_image_id: null } : {}),
    };
    await n.notify({
      ctx,
      publisherId: publisher,
      priority: phase === 'error' ? 'ERROR' : 'INFO',
      versioned: {
        eventType: `instance.${notice.action}.${phase}`,
        payload: novaObject(payloadClass.name, payloadClass.version, data),
      },
      unversioned: {
        eventType: `compute.instance.${notice.action}.${phase}`,
        payload: legacyInstancePayload(snapshot, fault ? { message: faultMessage(fault) } : {}),
      },
    });
  });
}

/** The state an instance had before a compare-and-swap. */
export interface StateBefore {
  readonly vm_state: string | null;
  readonly task_state: string | null;
  readonly display_name: string | null;
}

/**
 * instance.update after a state change, as Nova's `notify_on_state_change`:
 * `vm_state` sends it when the vm_state changed, `vm_and_task_state` when
 * either did. Published as this process (`<binary>:<host>`).
 */
export async function notifyStateChange(
  ds: DataSource,
  ctx: RequestContext | null,
  uuid: string,
  before: StateBefore,
  n: Notifier = notifier(),
): Promise<void> {
  const mode = n.settings.stateChange;
  if (!n.enabled || !mode) {
    return;
  }
  await guarded('instance.update', async () => {
    const snapshot = await readInstanceSnapshot(ds, uuid);
    if (!snapshot) {
      return;
    }
    const r = snapshot.row;
    const vmChanged = r.vm_state !== before.vm_state;
    const taskChanged = r.task_state !== before.task_state;
    if (!vmChanged && !(mode === 'vm_and_task_state' && taskChanged)) {
      return;
    }
    const now = new Date();
    const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    await n.notify({
      ctx,
      publisherId: processPublisherId(),
      priority: 'INFO',
      versioned: {
        eventType: 'instance.update',
        payload: novaObject('InstanceUpdatePayload', '1.8', {
          ...instancePayloadFields(ctx, snapshot),
          state_update: novaObject('InstanceStateUpdatePayload', '1.0', {
            old_state: before.vm_state,
            state: r.vm_state,
            old_task_state: before.task_state,
            new_task_state: r.task_state,
          }),
          // Nova's default audit period is the month so far.
          audit_period: novaObject('AuditPeriodPayload', '1.0', {
            audit_period_beginning: `${periodStart.toISOString().slice(0, 19)}Z`,
            audit_period_ending: `${now.toISOString().slice(0, 19)}Z`,
          }),
          bandwidth: [],
          old_display_name: before.display_name !== r.display_name ? before.display_name : null,
          tags: [...snapshot.tags],
        }),
      },
      unversioned: {
        eventType: 'compute.instance.update',
        payload: legacyInstancePayload(snapshot, {
          old_state: before.vm_state,
          old_task_state: before.task_state,
          new_task_state: r.task_state,
        }),
      },
    });
  });
}

/** Nova's ExceptionPayload 1.1 from what the compute reported. */
function faultPayload(eventName: string, details: string) {
  const named = /^([A-Z][A-Za-z0-9]*)(?::\s*)([\s\S]*)$/.exec(details);
  return novaObject('ExceptionPayload', '1.1', {
    module_name: 'nova.compute.manager',
    function_name: eventName.replace(/^compute_/, ''),
    exception: named?.[1] ?? 'NovaException',
    exception_message: named?.[2] ?? details,
    traceback: '',
  });
}

function faultMessage(fault: ReturnType<typeof faultPayload>): string {
  return String(fault['nova_object.data']['exception_message']);
}

/** A notification never fails what it reports on. */
async function guarded(what: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    log.warn({ eventType: what, err: describeError(err) }, 'could not build a notification');
  }
}

export type { InstanceSnapshot };

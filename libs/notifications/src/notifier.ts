import type { RequestContext } from '@nova/common';
import { describeError } from '@nova/common';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { apiTransportUrl, openTransport, parseTransportUrl, type RpcTransport } from '@nova/rpc';
import { notificationMessage, osloEnvelope, type Priority } from './oslo-envelope';

const log = getLogger('notifications');

/** What a process was configured to do with notifications. */
export interface NotificationSettings {
  /** Send to the queue (messagingv2/messaging on a real broker). */
  readonly toQueue: boolean;
  /** Write to the log (driver `log`). */
  readonly toLog: boolean;
  readonly versioned: boolean;
  readonly unversioned: boolean;
  /** `[notifications] notify_on_state_change`. */
  readonly stateChange: 'vm_state' | 'vm_and_task_state' | undefined;
  readonly versionedTopics: readonly string[];
  readonly unversionedTopics: readonly string[];
  readonly transportUrl: string;
  readonly connectTimeoutMs: number;
}

const QUEUE_DRIVERS = ['messagingv2', 'messaging', 'routing'];

/**
 * oslo.messaging's drivers as Nova reads them: none or `noop` sends nothing;
 * `messagingv2` sends to the notification transport (`[oslo_messaging_notifications]
 * transport_url`, else `[DEFAULT] transport_url`), except on the embedded
 * in-process transport, which has no consumers for them: they are dropped there.
 */
export function notificationSettings(config: NovaConfig): NotificationSettings {
  const drivers = config.oslo_messaging_notifications.driver.filter((d) => d !== 'noop');
  const transportUrl =
    config.oslo_messaging_notifications.transport_url ?? apiTransportUrl(config.DEFAULT);
  const onBroker = parseTransportUrl(transportUrl).kind === 'amqp';
  const format = config.notifications.notification_format;
  const stateChange = config.notifications.notify_on_state_change;
  return {
    toQueue: onBroker && drivers.some((d) => QUEUE_DRIVERS.includes(d)),
    toLog: drivers.includes('log'),
    versioned: format !== 'unversioned',
    unversioned: format !== 'versioned',
    stateChange:
      stateChange === 'vm_state' || stateChange === 'vm_and_task_state' ? stateChange : undefined,
    versionedTopics: config.notifications.versioned_notifications_topics,
    unversionedTopics: config.oslo_messaging_notifications.topics,
    transportUrl,
    connectTimeoutMs: config.cells.connect_timeout * 1000,
  };
}

/** One event to send, in one or both formats. */
export interface Notification {
  readonly ctx: RequestContext | null;
  readonly publisherId: string;
  readonly priority: Priority;
  /** The versioned event (`instance.create.start`) with its versioned payload. */
  readonly versioned?: { readonly eventType: string; readonly payload: unknown };
  /** The legacy event (`compute.instance.create.start`) with its flat payload. */
  readonly unversioned?: { readonly eventType: string; readonly payload: unknown };
}

/**
 * Sends notifications as oslo.messaging's Notifier does: each an envelope
 * published on the `nova` exchange under `<topic>.<priority>` (a durable queue
 * of that name is declared, as oslo does). Sending never fails the operation
 * that notifies: a broker problem is logged and the notification lost.
 */
export class Notifier {
  private transport?: Promise<RpcTransport>;

  constructor(readonly settings: NotificationSettings) {}

  /** Whether anything would be sent at all (callers skip building payloads otherwise). */
  get enabled(): boolean {
    return this.settings.toQueue || this.settings.toLog;
  }

  async notify(n: Notification): Promise<void> {
    if (!this.enabled) {
      return;
    }
    const sends: Array<Promise<void>> = [];
    const { versioned, unversioned } = this.settings;
    if (versioned && n.versioned) {
      for (const topic of this.settings.versionedTopics) {
        sends.push(this.send(topic, n, n.versioned.eventType, n.versioned.payload));
      }
    }
    if (unversioned && n.unversioned) {
      for (const topic of this.settings.unversionedTopics) {
        sends.push(this.send(topic, n, n.unversioned.eventType, n.unversioned.payload));
      }
    }
    await Promise.all(sends);
  }

  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    await (await transport?.catch(() => undefined))?.close();
  }

  private async send(
    topic: string,
    n: Notification,
    eventType: string,
    payload: unknown,
  ): Promise<void> {
    const message = notificationMessage(n.ctx, n.publisherId, eventType, n.priority, payload);
    const routingKey = `${topic}.${n.priority.toLowerCase()}`;
    if (this.settings.toLog) {
      log.info({ topic: routingKey, notification: message }, `notification ${eventType}`);
    }
    if (!this.settings.toQueue) {
      return;
    }
    try {
      await (await this.connected()).notify(routingKey, osloEnvelope(message));
    } catch (err) {
      log.warn({ eventType, err: describeError(err) }, 'could not send a notification');
    }
  }

  /** The notification transport, opened on first use and shared (single flight). */
  private connected(): Promise<RpcTransport> {
    if (!this.transport) {
      const opening = openTransport(this.settings.transportUrl, this.settings.connectTimeoutMs);
      this.transport = opening;
      opening.catch(() => {
        if (this.transport === opening) {
          this.transport = undefined; // the next notification tries again
        }
      });
    }
    return this.transport;
  }
}

/** A notifier that sends nothing (tools, tests, processes that notify nothing). */
export const SILENT_NOTIFIER = new Notifier({
  toQueue: false,
  toLog: false,
  versioned: false,
  unversioned: false,
  stateChange: undefined,
  versionedTopics: [],
  unversionedTopics: [],
  transportUrl: 'none:///',
  connectTimeoutMs: 1000,
});

let processNotifier: Notifier = SILENT_NOTIFIER;
let processPublisher = { service: 'nova', host: 'localhost' };

/**
 * The process's notifier, set once at start-up by the service runner; code deep
 * in a request (a compare-and-swap on an instance) reaches it here rather than
 * through every constructor on the way.
 */
export function notifier(): Notifier {
  return processNotifier;
}

/** `<binary>:<host>`, the publisher_id of what this process sends for itself. */
export function processPublisherId(): string {
  return `${processPublisher.service}:${processPublisher.host}`;
}

export function setProcessNotifier(
  next: Notifier,
  publisher: { service: string; host: string },
): void {
  processNotifier = next;
  processPublisher = publisher;
}

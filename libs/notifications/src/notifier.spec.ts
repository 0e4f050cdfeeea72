import { loadConfig } from '@nova/config';
import { notificationSettings, Notifier } from './notifier';
import { notificationMessage, osloEnvelope } from './oslo-envelope';

const settingsFor = (sections: Record<string, Record<string, string>>) =>
  notificationSettings(loadConfig({ files: [], env: {}, overrides: sections }));

describe('notification settings', () => {
  it('sends nothing without a driver, as oslo.messaging', () => {
    const s = settingsFor({ DEFAULT: { transport_url: 'rabbit://u:p@h:5672/' } });
    expect(new Notifier(s).enabled).toBe(false);
  });

  it('messagingv2 on a broker goes to the queue, versioned only by default', () => {
    const s = settingsFor({
      DEFAULT: { transport_url: 'rabbit://u:p@h:5672/' },
      oslo_messaging_notifications: { driver: 'messagingv2' },
    });
    expect(s).toMatchObject({ toQueue: true, toLog: false, versioned: true, unversioned: false });
    expect(s.versionedTopics).toEqual(['versioned_notifications']);
  });

  it('embedded (in-process transport): messagingv2 drops, log writes to the log', () => {
    const dropped = settingsFor({
      DEFAULT: { transport_url: 'inproc://nova' },
      oslo_messaging_notifications: { driver: 'messagingv2' },
    });
    expect(new Notifier(dropped).enabled).toBe(false);
    const logged = settingsFor({
      DEFAULT: { transport_url: 'inproc://nova' },
      oslo_messaging_notifications: { driver: 'log' },
    });
    expect(logged).toMatchObject({ toQueue: false, toLog: true });
    expect(new Notifier(logged).enabled).toBe(true);
  });

  it('a transport of their own for notifications; noop wins nothing', () => {
    const s = settingsFor({
      DEFAULT: { transport_url: 'inproc://nova' },
      oslo_messaging_notifications: {
        driver: 'noop,messagingv2',
        transport_url: 'rabbit://u:p@mq:5672/notify',
      },
      notifications: { notification_format: 'both', notify_on_state_change: 'vm_and_task_state' },
    });
    expect(s).toMatchObject({
      toQueue: true,
      versioned: true,
      unversioned: true,
      stateChange: 'vm_and_task_state',
      transportUrl: 'rabbit://u:p@mq:5672/notify',
    });
  });

  it('refuses an unknown driver or format', () => {
    expect(() => settingsFor({ oslo_messaging_notifications: { driver: 'kafka' } })).toThrow(
      /driver/,
    );
    expect(() => settingsFor({ notifications: { notification_format: 'json' } })).toThrow(
      /notification_format/,
    );
  });
});

describe("oslo.messaging's envelope", () => {
  it('wraps the serialized message with oslo.version 2.0 and the context keys', () => {
    const message = notificationMessage(
      {
        requestId: 'req-1',
        userId: 'u',
        projectId: 'p',
        roles: ['member'],
        isAdmin: false,
        readDeleted: 'no',
      },
      'nova-compute:h1',
      'instance.create.end',
      'INFO',
      { x: 1 },
      new Date('2026-01-02T03:04:05.678Z'),
    );
    const envelope = JSON.parse(osloEnvelope(message)) as Record<string, string>;
    expect(Object.keys(envelope).sort()).toEqual(['oslo.message', 'oslo.version']);
    expect(envelope['oslo.version']).toBe('2.0');
    expect(JSON.parse(envelope['oslo.message'])).toMatchObject({
      event_type: 'instance.create.end',
      publisher_id: 'nova-compute:h1',
      priority: 'INFO',
      payload: { x: 1 },
      timestamp: '2026-01-02 03:04:05.678000',
      _context_request_id: 'req-1',
      _context_project_id: 'p',
    });
  });
});

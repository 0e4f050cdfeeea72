import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel } from 'amqplib';
import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';
import { testEnv, uniqueId } from '../support/env';
import { createVhost, deleteVhost, rabbitUrl } from '../support/rabbit';

interface Received {
  readonly routingKey: string;
  readonly envelope: Record<string, unknown>;
  readonly message: Record<string, any>;
}

/**
 * Nova's notifications from a cloud of separate processes (MariaDB, RabbitMQ,
 * Redis; fake computes), consumed from RabbitMQ with amqplib as a billing or
 * monitoring consumer would: every process sends to `[oslo_messaging_notifications]
 * transport_url` (a vhost of its own here), on the `nova` exchange.
 */
describe('notifications on the message queue', () => {
  let cloud: Cloud;
  let consumer: ChannelModel;
  const vhost = uniqueId('notify');
  const received: Received[] = [];
  const imageRef = '8b1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a61';
  /** The fake driver fails every spawn from this image (by its name). */
  const doomedImage = '8b1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a62';
  const flavorRef = 'n-tiny';

  const events = (uuid: string, type: string) =>
    received.filter(
      (r) =>
        r.message['event_type'] === type &&
        r.message['payload']?.['nova_object.data']?.uuid === uuid,
    );
  /** Until a notification of `type` about `uuid` arrived (they come asynchronously). */
  const waitFor = async (uuid: string, type: string, timeoutMs = 20_000): Promise<Received> => {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const found = events(uuid, type)[0];
      if (found) {
        return found;
      }
      await sleep(50);
    }
    throw new Error(
      `no ${type} for ${uuid}; got ${received.map((r) => r.message['event_type']).join(', ')}`,
    );
  };
  const boot = async (name: string, image = imageRef) => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef: image, flavorRef } },
      { as: 'member' },
    );
    expect(res.status).toBe(202);
    return res.body.server.id as string;
  };
  const act = async (id: string, body: unknown, status = 202) =>
    expect(
      (await cloud.api.post(`/v2.1/servers/${id}/action`, body, { as: 'member' })).status,
    ).toBe(status);
  const idle = (id: string, status: string) =>
    cloud.waitForServer(id, (s) => s.status === status && s['OS-EXT-STS:task_state'] === null);

  beforeAll(async () => {
    await createVhost(vhost);
    const { user, password, host, port } = testEnv.rabbit;
    consumer = await connect({ hostname: host, port, username: user, password, vhost });
    const channel = await consumer.createChannel();
    await channel.assertExchange('nova', 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    for (const key of ['versioned_notifications.*', 'notifications.*']) {
      await channel.bindQueue(queue, 'nova', key);
    }
    await channel.consume(
      queue,
      (msg) => {
        if (msg) {
          const envelope = JSON.parse(msg.content.toString()) as Record<string, unknown>;
          const message = JSON.parse(String(envelope['oslo.message'])) as Record<string, any>;
          received.push({ routingKey: msg.fields.routingKey, envelope, message });
        }
      },
      { noAck: true },
    );
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([
        { id: imageRef, name: 'cirros', status: 'active', architecture: 'x86_64' },
        { id: doomedImage, name: 'doomed', status: 'active', architecture: 'x86_64' },
      ]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 2,
      extra: {
        oslo_messaging_notifications: { driver: 'messagingv2', transport_url: rabbitUrl(vhost) },
        notifications: { notification_format: 'both', notify_on_state_change: 'vm_state' },
        glance: { local_catalog: catalog },
        fake_driver: { fail_spawn_pattern: '^doomed' },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 256, disk: 1 },
    });
    expect(flavor.status).toBe(200);
    for (const name of ['n-small', 'n-medium']) {
      const res = await cloud.api.post('/v2.1/flavors', {
        flavor: { name, id: name, vcpus: 1, ram: name === 'n-small' ? 384 : 512, disk: 1 },
      });
      expect(res.status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await consumer?.close().catch(() => undefined);
    await cloud?.stop();
    await deleteVhost(vhost);
  });

  let server: string;

  it("instance.create.start/end: oslo's envelope, Nova's payload class, version and fields", async () => {
    server = await boot('noticed');
    await idle(server, 'ACTIVE');
    const start = await waitFor(server, 'instance.create.start');
    const end = await waitFor(server, 'instance.create.end');
    expect(received.indexOf(start)).toBeLessThan(received.indexOf(end));
    expect(end.routingKey).toBe('versioned_notifications.info');
    expect(end.envelope['oslo.version']).toBe('2.0');
    expect(typeof end.envelope['oslo.message']).toBe('string');
    const host = (await cloud.api.get(`/v2.1/servers/${server}`)).body.server[
      'OS-EXT-SRV-ATTR:host'
    ];
    expect(end.message).toMatchObject({
      priority: 'INFO',
      publisher_id: `nova-compute:${host}`,
      event_type: 'instance.create.end',
      message_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/),
    });
    const payload = end.message['payload'];
    expect(payload).toMatchObject({
      'nova_object.name': 'InstanceCreatePayload',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.11',
    });
    const data = payload['nova_object.data'];
    expect(data).toMatchObject({
      uuid: server,
      display_name: 'noticed',
      tenant_id: 'demo',
      user_id: 'demo',
      state: 'active',
      power_state: 'running',
      task_state: null,
      host,
      node: host,
      image_uuid: imageRef,
      fault: null,
      locked: false,
      auto_disk_config: 'MANUAL',
      instance_name: expect.stringMatching(/^instance-[0-9a-f]{8}$/),
      launched_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      request_id: expect.stringMatching(/^req-/),
      action_initiator_user: 'demo',
      action_initiator_project: 'demo',
      flavor: {
        'nova_object.name': 'FlavorPayload',
        'nova_object.version': '1.4',
        'nova_object.data': expect.objectContaining({
          flavorid: flavorRef,
          memory_mb: 256,
          vcpus: 1,
        }),
      },
    });
    expect(data.ip_addresses).toEqual([
      expect.objectContaining({
        'nova_object.name': 'IpPayload',
        'nova_object.data': expect.objectContaining({ version: 4, label: expect.any(String) }),
      }),
    ]);
    expect(start.message['payload']['nova_object.data'].state).toBe('building');
  });

  it('instance.update on the vm_state change, and the legacy events with notification_format = both', async () => {
    const update = received.find(
      (r) =>
        r.message['event_type'] === 'instance.update' &&
        r.message['payload']['nova_object.data'].uuid === server &&
        r.message['payload']['nova_object.data'].state === 'active',
    );
    expect(update?.message['payload']).toMatchObject({
      'nova_object.name': 'InstanceUpdatePayload',
      'nova_object.version': '1.8',
    });
    expect(update?.message['payload']['nova_object.data'].state_update).toMatchObject({
      'nova_object.name': 'InstanceStateUpdatePayload',
      'nova_object.data': { old_state: 'building', state: 'active', new_task_state: null },
    });
    expect(update?.message['publisher_id']).toBe('nova-conductor:cell1-conductor');
    const legacy = received.find(
      (r) =>
        r.message['event_type'] === 'compute.instance.create.end' &&
        r.message['payload']?.instance_id === server,
    );
    expect(legacy?.routingKey).toBe('notifications.info');
    expect(legacy?.message['payload']).toMatchObject({
      tenant_id: 'demo',
      instance_type: flavorRef,
      state: 'active',
    });
  });

  it('power and state actions send <action>.start and .end with InstanceActionPayload 1.7', async () => {
    const steps: Array<[unknown, string, string]> = [
      [{ 'os-stop': null }, 'SHUTOFF', 'power_off'],
      [{ 'os-start': null }, 'ACTIVE', 'power_on'],
      [{ reboot: { type: 'SOFT' } }, 'ACTIVE', 'reboot'],
      [{ pause: null }, 'PAUSED', 'pause'],
      [{ unpause: null }, 'ACTIVE', 'unpause'],
      [{ suspend: null }, 'SUSPENDED', 'suspend'],
      [{ resume: null }, 'ACTIVE', 'resume'],
    ];
    for (const [body, status, action] of steps) {
      await act(server, body);
      await idle(server, status);
      for (const phase of ['start', 'end']) {
        const n = await waitFor(server, `instance.${action}.${phase}`);
        expect(n.message['payload']).toMatchObject({
          'nova_object.name': 'InstanceActionPayload',
          'nova_object.version': '1.7',
        });
        expect(n.message['payload']['nova_object.data'].fault).toBeNull();
      }
    }
    const off = await waitFor(server, 'instance.power_off.end');
    expect(off.message['payload']['nova_object.data']).toMatchObject({
      state: 'stopped',
      power_state: 'shutdown',
    });
  });

  it('rebuild, snapshot, resize, shelve and unshelve', async () => {
    await act(server, { rebuild: { imageRef } });
    await idle(server, 'ACTIVE');
    const rebuilt = await waitFor(server, 'instance.rebuild.end');
    expect(rebuilt.message['payload']).toMatchObject({
      'nova_object.name': 'InstanceActionRebuildPayload',
      'nova_object.version': '1.8',
    });
    await act(server, { createImage: { name: 'noticed-snap' } });
    await waitFor(server, 'instance.snapshot.end');
    await idle(server, 'ACTIVE');
    await act(server, { resize: { flavorRef: 'n-small' } });
    await idle(server, 'VERIFY_RESIZE');
    await waitFor(server, 'instance.resize.end');
    await waitFor(server, 'instance.resize_finish.end');
    await act(server, { confirmResize: null }, 204);
    await idle(server, 'ACTIVE');
    await waitFor(server, 'instance.resize_confirm.end');
    await act(server, { shelve: null });
    await idle(server, 'SHELVED_OFFLOADED');
    await waitFor(server, 'instance.shelve.end');
    await act(server, { unshelve: null });
    await idle(server, 'ACTIVE');
    await waitFor(server, 'instance.unshelve.end');
  });

  it('instance.delete.start and .end; the end describes a deleted instance', async () => {
    expect((await cloud.api.delete(`/v2.1/servers/${server}`, { as: 'member' })).status).toBe(204);
    await cloud.waitForGone(server);
    await waitFor(server, 'instance.delete.start');
    const end = await waitFor(server, 'instance.delete.end');
    expect(end.message['payload']['nova_object.data'].deleted_at).toMatch(/Z$/);
  });

  it('a failed spawn sends instance.create.error with its fault, on the .error topic', async () => {
    const id = await boot('doomed-1', doomedImage);
    await cloud.waitForServer(id, (s) => s.status === 'ERROR');
    const error = await waitFor(id, 'instance.create.error');
    expect(error.routingKey).toBe('versioned_notifications.error');
    expect(error.message['priority']).toBe('ERROR');
    expect(error.message['payload']['nova_object.data'].fault).toMatchObject({
      'nova_object.name': 'ExceptionPayload',
      'nova_object.version': '1.1',
      'nova_object.data': expect.objectContaining({
        function_name: 'build_and_run_instance',
        exception_message: expect.stringContaining('Injected spawn failure'),
      }),
    });
  });
});

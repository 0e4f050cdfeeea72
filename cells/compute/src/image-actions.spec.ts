import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminContext, type RequestContext } from '@nova/common';
import {
  CellConductorClient,
  CONDUCTOR_TOPIC,
  type InstanceUpdates,
  type WireSnapshot,
} from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import { LocalImageCatalog, LocalImageStore } from '@nova/images';
import { dispatcher, InProcessTransport, type RpcConsumer } from '@nova/rpc';
import { FakeDriver } from '@nova/cells/virt';
import { ImageActions } from './image-actions';

/**
 * The compute side of snapshots and shelving over the in-process transport:
 * the conductor is a recorder of what the host asks, the images a local
 * catalog in a temporary directory, the hypervisor the fake driver.
 */
describe('ImageActions', () => {
  let mq: InProcessTransport;
  let conductor: RpcConsumer;
  let dir: string;
  let images: LocalImageCatalog;
  /** Every conductor call, in order: `update <expected> -> <changes>`, `release`, ... */
  let calls: string[];
  const ctx: RequestContext = { ...adminContext(), isAdmin: false, projectId: 'p1', userId: 'u1' };

  const describeUpdate = (expected: unknown, u: InstanceUpdates) =>
    `update ${JSON.stringify(expected)} -> ${JSON.stringify(u)}`;

  beforeEach(async () => {
    calls = [];
    mq = new InProcessTransport(`image-actions-${randomUUID()}`);
    await mq.connect();
    conductor = await mq.serve(
      { topic: CONDUCTOR_TOPIC, server: 'conductor' },
      dispatcher({
        instance_update: (_c, a: { expected_task_state: unknown; updates: InstanceUpdates }) => {
          const { power_state: _power, launched_at: _launched, ...rest } = a.updates;
          calls.push(describeUpdate(a.expected_task_state, rest));
          return Promise.resolve();
        },
        action_event: (_c, a: { event: string; result: string }) => {
          calls.push(`event ${a.event} ${a.result}`);
          return Promise.resolve();
        },
        set_system_metadata: (_c, a: { values: Record<string, string | null> }) => {
          calls.push(`sysmeta ${Object.keys(a.values).join(',')}`);
          return Promise.resolve();
        },
        instance_fault: () => {
          calls.push('fault');
          return Promise.resolve();
        },
        release_allocation: () => {
          calls.push('release');
          return Promise.resolve();
        },
      }),
    );
    dir = mkdtempSync(join(tmpdir(), 'nova-image-actions-'));
    images = new LocalImageCatalog([], new LocalImageStore(dir));
  });

  afterEach(async () => {
    await conductor.stop();
    await mq.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(options: { failSnapshot?: boolean; offloadTime?: number } = {}) {
    const driver = new FakeDriver({
      vcpus: 2,
      memoryMb: 2048,
      localGb: 10,
      spawnDelayMs: 0,
      ...(options.failSnapshot ? { failSnapshotPattern: /./ } : {}),
    });
    await driver.init('h1');
    const uuid = randomUUID();
    await driver.spawn({
      uuid,
      name: 'instance-00000001',
      vcpus: 1,
      memoryMb: 512,
      rootGb: 1,
      ephemeralGb: 0,
      image: { id: 'img', properties: {} },
      networks: [],
    });
    const actions = new ImageActions(driver, new CellConductorClient(mq, 2000), images, {
      host: 'h1',
      shelvedOffloadTime: options.offloadTime ?? -1,
    });
    const image = await images.create(ctx, {
      name: 'snap',
      visibility: 'private',
      min_ram: 0,
      min_disk: 1,
      properties: {},
    });
    const wire: WireSnapshot = { image_id: image.id, auth_token: null, root_gb: 1 };
    return { driver, uuid, actions, image, wire };
  }

  it("moves a snapshot through Nova's task states and activates the image", async () => {
    const { uuid, actions, image, wire } = await setUp();
    await actions.snapshot(ctx, uuid, wire);
    expect(calls).toEqual([
      'event compute_snapshot_instance start',
      describeUpdate([TaskState.IMAGE_SNAPSHOT_PENDING], { task_state: TaskState.IMAGE_SNAPSHOT }),
      describeUpdate([TaskState.IMAGE_SNAPSHOT], { task_state: TaskState.IMAGE_PENDING_UPLOAD }),
      describeUpdate([TaskState.IMAGE_PENDING_UPLOAD], { task_state: TaskState.IMAGE_UPLOADING }),
      describeUpdate([TaskState.IMAGE_UPLOADING], { task_state: null }),
      'event compute_snapshot_instance Success',
    ]);
    expect(await images.get(ctx, image.id)).toMatchObject({ status: 'active', disk_format: 'raw' });
  });

  it('deletes the image of a failed snapshot and reverts the task state', async () => {
    const { uuid, actions, image, wire } = await setUp({ failSnapshot: true });
    await actions.backup(ctx, uuid, { ...wire, backup_type: 'daily', rotation: 1 });
    expect(calls).toEqual([
      'event compute_backup_instance start',
      describeUpdate(
        [TaskState.IMAGE_BACKUP, TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING],
        { task_state: null },
      ),
      'fault',
      'event compute_backup_instance Error',
    ]);
    await expect(images.get(ctx, image.id)).rejects.toThrow(/could not be found/);
  });

  it('shelves and, with shelved_offload_time 0, offloads: allocation released before the state', async () => {
    const { driver, uuid, actions, wire } = await setUp({ offloadTime: 0 });
    await actions.shelve(ctx, uuid, wire);
    expect(calls).toEqual([
      'event compute_shelve_instance start',
      describeUpdate([TaskState.SHELVING], { task_state: TaskState.SHELVING_IMAGE_PENDING_UPLOAD }),
      describeUpdate([TaskState.SHELVING_IMAGE_PENDING_UPLOAD], {
        task_state: TaskState.SHELVING_IMAGE_UPLOADING,
      }),
      'sysmeta shelved_at,shelved_image_id,shelved_host',
      describeUpdate([TaskState.SHELVING, TaskState.SHELVING_IMAGE_UPLOADING], {
        vm_state: VmState.SHELVED,
        task_state: TaskState.SHELVING_OFFLOADING,
      }),
      'release',
      describeUpdate([TaskState.SHELVING, TaskState.SHELVING_OFFLOADING], {
        vm_state: VmState.SHELVED_OFFLOADED,
        task_state: null,
        host: null,
        node: null,
      }),
      'event compute_shelve_instance Success',
    ]);
    expect(await driver.listInstances()).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { CONDUCTOR_TOPIC, type InstanceUpdates } from '@nova/compute-rpc';
import { PowerState, VmState } from '@nova/compute-state';
import { dispatcher, InProcessTransport } from '@nova/rpc';
import { FakeDriver } from '@nova/cells/virt';
import { ComputeManager } from './compute-manager';

/**
 * The periodic power sync over the in-process transport: the compute asks its
 * conductor for its idle instances and writes back what the hypervisor says.
 * The conductor side is a recorder serving the conductor topic.
 */
describe('ComputeManager power-state sync', () => {
  it('records a guest that stopped behind our back as SHUTDOWN and STOPPED', async () => {
    const mq = new InProcessTransport(`power-sync-${randomUUID()}`);
    await mq.connect();
    const uuid = randomUUID();
    const updates: Array<{ uuid: string; expected: unknown; updates: InstanceUpdates }> = [];
    const conductor = await mq.serve(
      { topic: CONDUCTOR_TOPIC, server: 'conductor' },
      dispatcher({
        instances_on_host: () =>
          Promise.resolve([
            { uuid, vm_state: VmState.ACTIVE, task_state: null, power_state: PowerState.RUNNING },
          ]),
        instance_update: (
          _ctx,
          a: { uuid: string; expected_task_state: unknown; updates: InstanceUpdates },
        ) => {
          updates.push({ uuid: a.uuid, expected: a.expected_task_state, updates: a.updates });
          return Promise.resolve();
        },
        service_report: () => Promise.resolve(),
        compute_node_report: () => Promise.resolve(),
      }),
    );
    const driver = new FakeDriver({ vcpus: 2, memoryMb: 2048, localGb: 10, spawnDelayMs: 0 });
    const compute = new ComputeManager(mq, driver, {
      host: 'h1',
      reportIntervalMs: 60_000,
      powerSyncIntervalMs: 0,
      rpcTimeoutMs: 2000,
    });
    await compute.start();
    await driver.spawn({
      uuid,
      name: 'instance-00000001',
      vcpus: 1,
      memoryMb: 512,
      rootGb: 1,
      ephemeralGb: 0,
      image: { id: 'img', properties: {} },
      userData: null,
      keyData: null,
      networks: [],
    });

    await compute.syncPowerStates();
    expect(updates).toEqual([]); // running, as recorded: nothing to write

    await driver.powerOff(uuid); // the guest shut down on its own
    await compute.syncPowerStates();
    expect(updates).toEqual([
      {
        uuid,
        expected: [null],
        updates: { power_state: PowerState.SHUTDOWN, vm_state: VmState.STOPPED },
      },
    ]);
    await compute.stop();
    await conductor.stop();
    await mq.close();
  });
});

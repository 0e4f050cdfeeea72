import type { CellRouter, InstanceMappings } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import { NoValidHost, type SchedulerClient, type WireRequestSpec } from '@nova/compute-rpc';
import { loadConfig } from '@nova/config';
import type { ImageBackend } from '@nova/images';
import type { PlacementService } from '@nova/placement';
import type { BuildRequests } from '@nova/servers';
import { SuperConductor } from './super-conductor';

/** Where schedule_and_build_instances gets the request spec: the cast (1.26), else the API database. */
describe('SuperConductor.scheduleAndBuild: the request spec', () => {
  const stored = { project_id: 'stored' } as unknown as WireRequestSpec;
  const sent = { project_id: 'sent' } as unknown as WireRequestSpec;

  const conductor = () => {
    const specReads: string[] = [];
    const scheduled: WireRequestSpec[] = [];
    const builds = {
      spec: (uuid: string) => {
        specReads.push(uuid);
        return Promise.resolve(stored);
      },
      // Deleted meanwhile: nothing is buried once the scheduler has no host.
      get: () => Promise.resolve(null),
    } as unknown as BuildRequests;
    const scheduler = {
      selectDestinations: (_ctx: unknown, spec: WireRequestSpec) => {
        scheduled.push(spec);
        return Promise.reject(new NoValidHost('No valid host was found. '));
      },
    } as unknown as SchedulerClient;
    const superConductor = new SuperConductor(
      loadConfig({ files: [], env: {}, overrides: {} }),
      {} as CellRouter,
      {} as InstanceMappings,
      scheduler,
      {} as PlacementService,
      builds,
      {} as ImageBackend,
    );
    return { superConductor, specReads, scheduled };
  };

  it('schedules with the spec the cast carries, reading none', async () => {
    const { superConductor, specReads, scheduled } = conductor();
    await superConductor.scheduleAndBuild(adminContext(), ['u1', 'u2'], {}, sent);
    expect(specReads).toEqual([]);
    expect(scheduled).toEqual([{ ...sent, instance_uuids: ['u1', 'u2'] }]);
  });

  it('reads the stored spec when the cast has none (an API pinned to conductor 1.25)', async () => {
    const { superConductor, specReads, scheduled } = conductor();
    await superConductor.scheduleAndBuild(adminContext(), ['u1'], {});
    expect(specReads).toEqual(['u1']);
    expect(scheduled).toEqual([{ ...stored, instance_uuids: ['u1'] }]);
  });

  it('hands the RPC arguments over: the spec apart from the secrets', async () => {
    const { superConductor, specReads, scheduled } = conductor();
    const spy = jest.spyOn(superConductor, 'scheduleAndBuild');
    await superConductor.methods().schedule_and_build_instances(adminContext(), {
      instance_uuids: ['u1'],
      admin_password: 'secret',
      request_spec: sent,
    });
    expect(spy).toHaveBeenCalledWith(expect.anything(), ['u1'], { admin_password: 'secret' }, sent);
    expect(specReads).toEqual([]);
    expect(scheduled).toHaveLength(1);
  });
});

import { UnsupportedVersion } from '@nova/rpc';
import { canSendVersion, RPC_APIS, versionedMessage, type RpcApiVersions } from './rpc-apis';
import { rpcVersionsOf, SERVICE_VERSION } from './service-versions';

/** A table with each kind of line: an old method, a newer one, an argument dropped or refused. */
const TABLE: RpcApiVersions = {
  current: '2.3',
  first: '2.0',
  methods: {
    reboot: {
      args: { hint: { since: '2.1', older: 'drop' }, mode: { since: '2.2', older: 'refuse' } },
    },
    fresh: { since: '2.3' },
  },
};
const send = (cap: string, method: string, args: Record<string, unknown>) =>
  versionedMessage('demo', TABLE, cap, method, args);

describe('canSendVersion', () => {
  it('allows the cap and older minors of its major only', () => {
    expect(canSendVersion('6.1', '6.0')).toBe(true);
    expect(canSendVersion('6.1', '6.1')).toBe(true);
    expect(canSendVersion('6.0', '6.1')).toBe(false);
    expect(canSendVersion('7.0', '6.0')).toBe(false);
  });
});

describe('versionedMessage', () => {
  it('sends each message at the lowest version that carries it, whatever the cap above', () => {
    expect(send('2.3', 'reboot', { uuid: 'u' })).toEqual({ version: '2.0', args: { uuid: 'u' } });
    expect(send('2.3', 'reboot', { uuid: 'u', hint: 1 })).toEqual({
      version: '2.1',
      args: { uuid: 'u', hint: 1 },
    });
    expect(send('2.3', 'reboot', { hint: 1, mode: 'x' }).version).toBe('2.2');
    expect(send('2.3', 'fresh', {}).version).toBe('2.3');
  });

  it('drops an argument newer than the cap where the table says the receiver does without', () => {
    expect(send('2.0', 'reboot', { uuid: 'u', hint: 1 })).toEqual({
      version: '2.0',
      args: { uuid: 'u' },
    });
  });

  it('refuses an argument it must not drop, and a method newer than the cap', () => {
    expect(() => send('2.1', 'reboot', { mode: 'x' })).toThrow(UnsupportedVersion);
    expect(() => send('2.1', 'reboot', { mode: 'x' })).toThrow(
      'The mode argument of RPC method reboot needs demo RPC version 2.2, above the version cap 2.1 ([upgrade_levels] demo): upgrade the demo services first',
    );
    expect(() => send('2.2', 'fresh', {})).toThrow(/RPC method fresh needs demo RPC version 2.3/);
  });

  it('an argument left out needs nothing (undefined counts as left out)', () => {
    expect(send('2.0', 'reboot', { mode: undefined })).toEqual({ version: '2.0', args: {} });
  });

  it('refuses everything when the cap is another major', () => {
    expect(() => send('1.9', 'reboot', {})).toThrow(UnsupportedVersion);
  });

  it('compute 6.1: get_console_output carries tail_length, dropped at 6.0', () => {
    const api = RPC_APIS.compute;
    const args = { instance_uuid: 'u', tail_length: 5 };
    expect(versionedMessage('compute', api, '6.1', 'get_console_output', args)).toEqual({
      version: '6.1',
      args,
    });
    expect(versionedMessage('compute', api, '6.0', 'get_console_output', args)).toEqual({
      version: '6.0',
      args: { instance_uuid: 'u' },
    });
  });

  it('conductor 1.26: schedule_and_build_instances carries the request spec, dropped at 1.25', () => {
    const api = RPC_APIS.conductor;
    const args = { instance_uuids: ['u'], admin_password: 'p', request_spec: { project_id: 'x' } };
    expect(
      versionedMessage('conductor', api, '1.26', 'schedule_and_build_instances', args),
    ).toEqual({
      version: '1.26',
      args,
    });
    expect(
      versionedMessage('conductor', api, '1.25', 'schedule_and_build_instances', args),
    ).toEqual({
      version: '1.25',
      args: { instance_uuids: ['u'], admin_password: 'p' },
    });
  });

  it('conductor 1.27: instance_update with an event needs 1.27; without one it is a 1.25 message', () => {
    const api = RPC_APIS.conductor;
    const update = { uuid: 'u', expected_task_state: [null], updates: { task_state: 'spawning' } };
    const event = { event: 'compute_build_and_run_instance', host: 'h', result: 'start' };
    expect(
      versionedMessage('conductor', api, '1.27', 'instance_update', { ...update, event }),
    ).toEqual({ version: '1.27', args: { ...update, event } });
    expect(() =>
      versionedMessage('conductor', api, '1.26', 'instance_update', { ...update, event }),
    ).toThrow(UnsupportedVersion);
    expect(versionedMessage('conductor', api, '1.26', 'instance_update', update)).toEqual({
      version: '1.25',
      args: update,
    });
  });
});

describe('service version history', () => {
  it('maps this release to what it speaks, and older services to the older APIs', () => {
    expect(rpcVersionsOf(SERVICE_VERSION)).toEqual({
      compute: RPC_APIS.compute.current,
      conductor: RPC_APIS.conductor.current,
      scheduler: RPC_APIS.scheduler.current,
    });
    expect(rpcVersionsOf(67)).toEqual({ compute: '6.1', conductor: '1.25', scheduler: '4.5' });
    expect(rpcVersionsOf(66).compute).toBe('6.0');
    expect(rpcVersionsOf(61).compute).toBe('6.0');
  });

  it('every table line is within what this release speaks', () => {
    for (const api of Object.values(RPC_APIS)) {
      for (const entry of Object.values(api.methods)) {
        for (const since of [entry.since, ...Object.values(entry.args ?? {}).map((a) => a.since)]) {
          if (since !== undefined) {
            expect(canSendVersion(api.current, since)).toBe(true);
          }
        }
      }
    }
  });
});

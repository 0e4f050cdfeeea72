import { adminContext } from '@nova/common';
import { ConfigError } from '@nova/config';
import { RPC_APIS } from './rpc-apis';
import { pinnedEnvelope, ReportedServiceVersions, RpcVersionPins } from './rpc-version-pins';

const current = RPC_APIS.compute.current;

describe('RpcVersionPins', () => {
  it('unset: what this release speaks', async () => {
    const pins = new RpcVersionPins({});
    expect(await pins.cap('compute')).toBe(current);
    expect(await pins.cap('conductor')).toBe(RPC_APIS.conductor.current);
    expect(await pins.cap('scheduler')).toBe(RPC_APIS.scheduler.current);
  });

  it('a fixed X.Y, and a release name in any case', async () => {
    expect(await new RpcVersionPins({ compute: '6.0' }).cap('compute')).toBe('6.0');
    expect(await new RpcVersionPins({ compute: 'antelope' }).cap('compute')).toBe('6.0');
    expect(await new RpcVersionPins({ compute: 'Yoga' }).cap('compute')).toBe('6.0');
    expect(await new RpcVersionPins({ conductor: 'Zed' }).cap('conductor')).toBe('1.25');
  });

  it('refuses another major, an unknown release and junk, naming the option', () => {
    expect(() => new RpcVersionPins({ compute: '5.0' })).toThrow(ConfigError);
    expect(() => new RpcVersionPins({ compute: '5.0' })).toThrow(
      /\[upgrade_levels\] compute = 5.0: this release speaks compute RPC 6.0 to/,
    );
    expect(() => new RpcVersionPins({ conductor: '1.20' })).toThrow(
      '[upgrade_levels] conductor = 1.20: this release speaks conductor RPC 1.25 to 1.27',
    );
    expect(() => new RpcVersionPins({ scheduler: 'Queens' })).toThrow(
      /\[upgrade_levels\] scheduler = Queens: expected auto, a version X.Y or a release name/,
    );
  });

  it('auto: the version the oldest service speaks, read once per refresh', async () => {
    const reads: string[] = [];
    let min: number | null = 66;
    const pins = new RpcVersionPins(
      { compute: 'auto' },
      (binary) => {
        reads.push(binary);
        return Promise.resolve(min);
      },
      60_000,
    );
    expect(await Promise.all([pins.cap('compute'), pins.cap('compute')])).toEqual(['6.0', '6.0']);
    min = 67;
    expect(await pins.cap('compute')).toBe('6.0'); // cached
    expect(reads).toEqual(['nova-compute']);
  });

  it('auto re-reads after the refresh interval: a finished upgrade lifts the cap', async () => {
    let min = 66;
    const pins = new RpcVersionPins({ compute: 'auto' }, () => Promise.resolve(min), 0);
    expect(await pins.cap('compute')).toBe('6.0');
    min = 67;
    expect(await pins.cap('compute')).toBe('6.1');
  });

  it('auto with no such service yet, or no way to read: what we speak; a failed re-read keeps the last cap', async () => {
    expect(
      await new RpcVersionPins({ compute: 'auto' }, () => Promise.resolve(null)).cap('compute'),
    ).toBe(current);
    expect(await new RpcVersionPins({ compute: 'auto' }).cap('compute')).toBe(current);
    let fail = false;
    const pins = new RpcVersionPins(
      { compute: 'auto' },
      () => (fail ? Promise.reject(new Error('db down')) : Promise.resolve(66)),
      0,
    );
    expect(await pins.cap('compute')).toBe('6.0');
    fail = true;
    expect(await pins.cap('compute')).toBe('6.0');
  });

  it('auto from heartbeat replies (nova-compute): the cell conductor’s answer, none before it', async () => {
    const reported = new ReportedServiceVersions();
    const pins = new RpcVersionPins({ compute: 'auto' }, reported.min, 0);
    expect(await pins.cap('compute')).toBe(current);
    reported.update({ 'nova-compute': 66, 'nova-conductor': 67 });
    expect(await pins.cap('compute')).toBe('6.0');
    reported.update(undefined); // an older conductor answers nothing: the last answer holds
    expect(await pins.cap('compute')).toBe('6.0');
  });

  it('pinnedEnvelope caps the envelope: the 6.1 argument dropped at 6.0', async () => {
    const args = { instance_uuid: 'u', tail_length: 3 };
    const old = await pinnedEnvelope(
      adminContext(),
      'compute',
      'get_console_output',
      args,
      new RpcVersionPins({ compute: '6.0' }),
    );
    expect([old.version, old.args]).toEqual(['6.0', { instance_uuid: 'u' }]);
    const now = await pinnedEnvelope(adminContext(), 'compute', 'get_console_output', args);
    expect([now.version, now.args]).toEqual(['6.1', args]);
  });
});

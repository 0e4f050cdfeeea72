import { adminContext } from '@nova/common';
import { dispatcher } from './dispatcher';
import { envelope } from './envelope';
import { fromWireError, toWireError } from './rpc-errors';
import {
  compareRpcVersions,
  isCompatibleRpcVersion,
  parseRpcVersion,
  UnsupportedVersion,
} from './rpc-version';

describe('RPC versions', () => {
  it('parses X.Y and refuses anything else', () => {
    expect(parseRpcVersion('6.12')).toEqual({ major: 6, minor: 12 });
    for (const bad of ['6', '6.1.2', 'v6.1', '', 'auto']) {
      expect(() => parseRpcVersion(bad)).toThrow(/not an RPC version/);
    }
  });

  it('compares numerically, not as text', () => {
    expect(compareRpcVersions('6.10', '6.9')).toBeGreaterThan(0);
    expect(compareRpcVersions('5.13', '6.0')).toBeLessThan(0);
    expect(compareRpcVersions('1.25', '1.25')).toBe(0);
  });

  it('an endpoint understands its major at its minor or older, nothing else', () => {
    expect(isCompatibleRpcVersion('6.1', '6.0')).toBe(true);
    expect(isCompatibleRpcVersion('6.1', '6.1')).toBe(true);
    expect(isCompatibleRpcVersion('6.1', '6.2')).toBe(false);
    expect(isCompatibleRpcVersion('6.1', '5.0')).toBe(false);
    expect(isCompatibleRpcVersion('6.1', '7.0')).toBe(false);
  });
});

describe('dispatcher version check', () => {
  const ran: string[] = [];
  const handler = dispatcher({ ping: () => Promise.resolve(ran.push('ping')) }, { version: '6.1' });
  const call = (version: string) => handler(envelope(adminContext(), 'ping', {}, version));

  beforeEach(() => ran.splice(0));

  it('runs a message of its version or an older minor', async () => {
    await call('6.1');
    await call('6.0');
    expect(ran).toEqual(['ping', 'ping']);
  });

  it.each(['6.2', '7.0', '5.0', 'garbage'])(
    'refuses %s with UnsupportedVersion, the method not run',
    async (version) => {
      const err = await call(version).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedVersion);
      expect((err as Error).message).toBe(
        `Endpoint does not support RPC version ${version}. Attempted method: ping`,
      );
      expect(ran).toEqual([]);
    },
  );

  it('UnsupportedVersion crosses the wire as itself (a 409)', () => {
    const back = fromWireError(toWireError(new UnsupportedVersion('too new')));
    expect(back).toBeInstanceOf(UnsupportedVersion);
    expect(back.code).toBe(409);
  });

  it('checks nothing when it is told no version (test doubles)', async () => {
    await dispatcher({ ping: () => Promise.resolve(ran.push('any')) })(
      envelope(adminContext(), 'ping', {}, '99.0'),
    );
    expect(ran).toEqual(['any']);
  });
});

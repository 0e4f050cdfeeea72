import { adminContext } from '@nova/common';
import {
  KeystoneSession,
  NeutronClient,
  NeutronHttpError,
  NeutronUnavailable,
} from '@nova/network';
import { KEYSTONE_URL, SERVICE_PASSWORD } from '../support/keystone';

/** libs/network's Keystone session and Neutron client against the real services. */
describe('Neutron client (real Keystone + Neutron)', () => {
  const auth = {
    authUrl: KEYSTONE_URL,
    username: 'neutron',
    password: SERVICE_PASSWORD,
    projectName: 'service',
    userDomainName: 'Default',
    projectDomainName: 'Default',
    timeoutMs: 10_000,
  };
  const ctx = adminContext();

  it('caches the service token until shortly before it expires, and after invalidate()', async () => {
    let now = Date.now();
    const session = new KeystoneSession(auth, () => now);
    const [a, b] = await Promise.all([session.token(), session.token()]);
    expect(a.value).toBe(b.value);
    expect(a.catalog.some((s) => s.type === 'network')).toBe(true);
    expect((await session.token()).value).toBe(a.value);
    // Keystone's tokens last hours here; a minute before expiry a new one is fetched.
    now = a.expiresAt - 30_000;
    const renewed = await session.token();
    expect(renewed.value).not.toBe(a.value);
    now = Date.now();
    session.invalidate(renewed.value);
    expect((await session.token()).value).not.toBe(renewed.value);
  });

  it('a wrong password is 503, not a crash', async () => {
    const session = new KeystoneSession({ ...auth, password: 'wrong' });
    await expect(session.token()).rejects.toThrow(/could not authenticate.*HTTP 401/);
  });

  it('finds Neutron in the catalog, or at endpoint_override; 4xx and unreachable are typed', async () => {
    const session = new KeystoneSession(auth);
    const client = new NeutronClient({
      session,
      interfaces: ['internal', 'public'],
      region: 'RegionOne',
      timeoutMs: 5_000,
      userTokens: false,
    });
    const body = await client.get<{ networks: unknown[] }>(ctx, '/networks?limit=1');
    expect(Array.isArray(body.networks)).toBe(true);
    const missing = await client
      .get(ctx, '/networks/c0ffee00-0000-4000-8000-000000000000')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NeutronHttpError);
    expect(missing).toMatchObject({ status: 404, type: 'NetworkNotFound' });

    const nowhere = new NeutronClient({
      session,
      interfaces: ['public'],
      region: 'NoSuchRegion',
      timeoutMs: 5_000,
      userTokens: false,
    });
    await expect(nowhere.get(ctx, '/networks')).rejects.toThrow(
      'no network endpoint (public) in the catalog of region NoSuchRegion',
    );
    const closed = new NeutronClient({
      session,
      interfaces: ['public'],
      endpointOverride: 'http://127.0.0.1:59999/v2.0/',
      timeoutMs: 5_000,
      userTokens: false,
    });
    const err = await closed.get(ctx, '/networks').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeutronUnavailable);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });
});

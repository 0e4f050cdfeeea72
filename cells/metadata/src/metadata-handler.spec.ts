import type { GuestInstance } from '@nova/metadata';
import {
  MetadataHandler,
  type FoundGuest,
  type GuestSource,
  type MetadataRequest,
  type MetadataSettings,
} from './metadata-handler';
import { instanceIdSignature } from './proxy-signature';

const guest: GuestInstance = {
  uuid: '0f7c1c4e-9d3b-4b1a-8e2f-3a4b5c6d7e8f',
  id: 7,
  name: 'vm',
  hostname: 'vm',
  availabilityZone: 'nova',
  projectId: 'demo',
  launchIndex: 0,
  reservationId: 'r-00000001',
  keyName: null,
  keyData: null,
  userData: null,
  metadata: {},
  securityGroups: ['default'],
  flavorName: 'm1.tiny',
  imageId: '155d900f-4e14-4e4c-a73d-069cbf4541e6',
  rootDeviceName: '/dev/vda',
  ephemeralGb: 0,
  vifs: [{ network: 'private', address: '10.0.0.9', mac: 'fa:16:3e:00:00:09' }],
};

/** One guest at 10.0.0.9, its password kept in memory, as the databases would. */
class FakeSource implements GuestSource {
  password = '';
  failing = false;
  byAddress(address: string): Promise<FoundGuest | null> {
    if (this.failing) {
      return Promise.reject(new Error('database down'));
    }
    return Promise.resolve(address === '10.0.0.9' ? this.found() : null);
  }
  byInstanceId(id: string): Promise<FoundGuest | null> {
    return Promise.resolve(id === guest.uuid ? this.found() : null);
  }
  storePassword(_id: string, password: string): Promise<'stored' | 'exists' | 'gone'> {
    if (this.password) {
      return Promise.resolve('exists');
    }
    this.password = password;
    return Promise.resolve('stored');
  }
  private found(): FoundGuest {
    return { guest, password: this.password };
  }
}

const settings: MetadataSettings = {
  useForwardedFor: false,
  serviceMetadataProxy: false,
  sharedSecret: 'sekrit',
  options: { dhcpDomain: '', vendorData: {} },
};

function request(path: string, more: Partial<MetadataRequest> = {}): MetadataRequest {
  return { method: 'GET', path, headers: {}, remoteAddress: '10.0.0.9', ...more };
}

describe('the metadata request handler', () => {
  let source: FakeSource;
  let handler: MetadataHandler;
  beforeEach(() => {
    source = new FakeSource();
    handler = new MetadataHandler(source, settings);
  });

  it('answers / with the EC2 versions without asking who calls', async () => {
    const res = await handler.handle(request('/', { remoteAddress: '192.0.2.1' }));
    expect(res.status).toBe(200);
    expect(res.body.toString().split('\n').pop()).toBe('latest');
  });

  it("finds the guest by the caller's address, as text or JSON", async () => {
    const id = await handler.handle(request('/latest/meta-data/instance-id'));
    expect(id).toEqual({
      status: 200,
      contentType: 'text/plain; charset=UTF-8',
      body: 'i-00000007',
    });
    const md = await handler.handle(request('/openstack/latest/meta_data.json'));
    expect(md.contentType).toBe('application/json');
    expect(JSON.parse(md.body.toString())).toMatchObject({ uuid: guest.uuid, hostname: 'vm' });
    expect((await handler.handle(request('/latest/meta-data/nope'))).status).toBe(404);
  });

  it("an unknown caller is 404; a broken database 500 with Nova's text", async () => {
    const unknown = await handler.handle(
      request('/latest/meta-data/', { remoteAddress: '10.9.9.9' }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('404 Not Found');
    source.failing = true;
    const broken = await handler.handle(request('/latest/meta-data/'));
    expect(broken.status).toBe(500);
    expect(broken.body).toContain('An unknown error has occurred. Please try your request again.');
  });

  it('trusts X-Forwarded-For (its first address) only with use_forwarded_for', async () => {
    const headers = { 'x-forwarded-for': '10.0.0.9, 172.16.0.1' };
    const far = { remoteAddress: '127.0.0.1', headers };
    expect((await handler.handle(request('/latest/meta-data/', far))).status).toBe(404);
    const trusting = new MetadataHandler(source, { ...settings, useForwardedFor: true });
    expect((await trusting.handle(request('/latest/meta-data/', far))).status).toBe(200);
    // An IPv4 peer on an IPv6 socket is the same address.
    expect(
      (await handler.handle(request('/latest/', { remoteAddress: '::ffff:10.0.0.9' }))).status,
    ).toBe(200);
  });

  it('ignores X-Instance-ID unless the Neutron proxy is on', async () => {
    const res = await handler.handle(
      request('/latest/', { remoteAddress: '127.0.0.1', headers: { 'x-instance-id': guest.uuid } }),
    );
    expect(res.status).toBe(404);
  });

  describe("behind Neutron's metadata proxy", () => {
    const proxied = () => new MetadataHandler(source, { ...settings, serviceMetadataProxy: true });
    const signed = (id: string, tenant: string, signature = instanceIdSignature('sekrit', id)) =>
      request('/openstack/latest/meta_data.json', {
        remoteAddress: '127.0.0.1',
        headers: {
          'x-instance-id': id,
          'x-tenant-id': tenant,
          'x-instance-id-signature': signature,
          'x-forwarded-for': '10.0.0.9',
        },
      });

    it('serves the signed instance of the right project', async () => {
      const res = await proxied().handle(signed(guest.uuid, 'demo'));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString())['uuid']).toBe(guest.uuid);
    });

    it('a bad signature is 403, another project 404, missing or repeated headers 400', async () => {
      const bad = await proxied().handle(signed(guest.uuid, 'demo', '0'.repeat(64)));
      expect(bad.status).toBe(403);
      expect(bad.body).toContain('Invalid proxy request signature.');
      expect((await proxied().handle(signed(guest.uuid, 'other'))).status).toBe(404);
      const unknown = '11111111-2222-3333-4444-555555555555';
      expect((await proxied().handle(signed(unknown, 'demo'))).status).toBe(404);
      const noTenant = await proxied().handle(
        request('/latest/', { headers: { 'x-instance-id': guest.uuid } }),
      );
      expect(noTenant.status).toBe(400);
      expect(noTenant.body).toContain('X-Tenant-ID header is missing from request.');
      const noId = await proxied().handle(request('/latest/'));
      expect(noId.body).toContain('X-Instance-ID header is missing from request.');
      const twice = await proxied().handle(
        request('/latest/', {
          headers: { 'x-instance-id': [guest.uuid, guest.uuid], 'x-tenant-id': 'demo' },
        }),
      );
      expect(twice.body).toContain('Multiple X-Instance-ID headers found within request.');
    });
  });

  describe('the password', () => {
    const post = (body: string | Buffer) =>
      handler.handle(
        request('/openstack/latest/password', { method: 'POST', body: Buffer.from(body) }),
      );

    it('is empty until the guest posts it, then shown; a second post is 409', async () => {
      expect((await handler.handle(request('/openstack/latest/password'))).body).toBe('');
      expect((await post('c2VjcmV0')).status).toBe(200);
      expect((await handler.handle(request('/openstack/2013-04-04/password'))).body).toBe(
        'c2VjcmV0',
      );
      const again = await post('b3RoZXI=');
      expect(again.status).toBe(409);
      expect(source.password).toBe('c2VjcmV0');
    });

    it('a post racing another one is 409 as well (the database decides)', async () => {
      source.storePassword = () => Promise.resolve('exists');
      expect((await post('x')).status).toBe(409);
    });

    it('more than 256 bytes is 400, and so is another method', async () => {
      const big = await post('x'.repeat(257));
      expect(big.status).toBe(400);
      expect(big.body).toContain('Request is too large.');
      expect(source.password).toBe('');
      expect((await post('x'.repeat(256))).status).toBe(200);
      const put = await handler.handle(request('/openstack/latest/password', { method: 'PUT' }));
      expect(put.status).toBe(400);
    });
  });
});

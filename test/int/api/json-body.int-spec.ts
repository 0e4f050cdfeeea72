import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
}

/**
 * A long list's body goes out as a Buffer written slice by slice
 * (http/json-body.ts): over a real socket it must be the JSON a client
 * expects, with a Content-Length in bytes, not characters.
 */
describe('long list bodies over HTTP', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let port: number;
  const COUNT = 45;

  const get = (path: string, version?: string): Promise<Raw> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          headers: {
            'x-auth-token': 'admin:admin',
            ...(version ? { 'openstack-api-version': `compute ${version}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              bytes: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    api = await ApiClient.start(d.sections);
    for (let i = 0; i < COUNT; i++) {
      const res = await api.post(
        '/v2.1/flavors',
        // Non-ASCII text: the body's length in bytes differs from its length in characters.
        {
          flavor: {
            id: `f${i}`,
            name: `flavor-${i}`,
            ram: 64,
            disk: 1,
            vcpus: 1,
            description: `größe ☃ ${i}`,
          },
        },
        { version: '2.55' },
      );
      expect(res.status).toBe(200);
    }
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  it('sends a list longer than a slice as the JSON of the whole list, sized in bytes', async () => {
    const res = await get('/v2.1/flavors/detail?limit=1000', '2.55');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(res.bytes.length);
    const body = JSON.parse(res.bytes.toString('utf8')) as {
      flavors: Array<{ id: string; description?: string }>;
    };
    expect(body.flavors).toHaveLength(COUNT);
    expect(body.flavors.map((f) => f.id).sort()).toEqual(
      Array.from({ length: COUNT }, (_, i) => `f${i}`).sort(),
    );
    expect(body.flavors.find((f) => f.id === 'f7')?.description).toBe('größe ☃ 7');
    // The same body as the app gives through inject (same Host: links are built from it).
    expect(body).toEqual(
      (
        await api.get('/v2.1/flavors/detail?limit=1000', {
          version: '2.55',
          headers: { host: `127.0.0.1:${port}` },
        })
      ).body,
    );
  });

  it('sends the microversion the request asked for, with its fields, in the sliced body', async () => {
    const res = await get('/v2.1/flavors/detail');
    const plain = JSON.parse(res.bytes.toString('utf8')) as {
      flavors: Array<Record<string, unknown>>;
    };
    expect(plain.flavors).toHaveLength(COUNT);
    expect(plain.flavors[0]).not.toHaveProperty('description'); // 2.1 has none
  });

  it('still sends a short body as it did', async () => {
    const res = await get('/v2.1/flavors/detail?limit=2');
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(res.bytes.length);
    expect(JSON.parse(res.bytes.toString('utf8')).flavors).toHaveLength(2);
  });
});

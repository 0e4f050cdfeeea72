import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { adminContext, type RequestContext } from '@nova/common';
import { ImageNotAuthorized, ImageNotFound, InvalidImageCatalog } from './image-errors';
import { BUILTIN_IMAGE_ID, loadCatalog, LocalImageCatalog, parseCatalog } from './local-catalog';
import { LocalImageStore } from './local-image-store';

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const T0 = new Date('2024-02-03T04:05:06Z');

const member = (projectId: string): RequestContext => ({
  ...adminContext(),
  roles: ['member'],
  isAdmin: false,
  projectId,
});

describe('local image catalog', () => {
  it('serves one CirrOS image by default', () => {
    expect(loadCatalog(undefined)).toEqual([
      expect.objectContaining({
        id: BUILTIN_IMAGE_ID,
        name: 'cirros-0.6.2-x86_64-disk',
        status: 'active',
        size: 21430272,
        min_disk: 0,
        min_ram: 0,
        disk_format: 'qcow2',
        container_format: 'bare',
        visibility: 'public',
        properties: expect.objectContaining({ architecture: 'x86_64' }),
      }),
    ]);
  });

  it('reads YAML and JSON, flat properties or a properties map, file time as default', () => {
    const yaml = `
images:
  - id: ${ID1}
    name: one
    min_ram: 128
    hw_firmware_type: uefi
    properties:
      architecture: aarch64
`;
    const [one] = parseCatalog(yaml, 'test.yaml', T0);
    expect(one).toMatchObject({
      id: ID1,
      name: 'one',
      min_ram: 128,
      created_at: T0.toISOString(),
      properties: { hw_firmware_type: 'uefi', architecture: 'aarch64' },
    });
    const json = JSON.stringify([
      { id: ID2.toUpperCase(), name: 'two', created_at: '2020-01-01T00:00:00Z' },
    ]);
    expect(parseCatalog(json, 'test.json', T0)[0]).toMatchObject({
      id: ID2,
      created_at: '2020-01-01T00:00:00.000Z',
    });
  });

  it.each([
    ['{', /^Invalid image catalog c \(\[glance\] local_catalog\): Flow map/],
    ['images: 3', /expected a list/],
    ['- 3', /image #0 is not a mapping/],
    ['- name: x', /needs a UUID id/],
    [`- id: ${ID1}\n- id: ${ID1}`, /listed twice/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCatalog(text, 'c', T0)).toThrow(InvalidImageCatalog);
    expect(() => parseCatalog(text, 'c', T0)).toThrow(message);
  });

  it('reports a missing file as a catalog error', () => {
    expect(() => loadCatalog('/nonexistent/catalog.yaml')).toThrow(InvalidImageCatalog);
  });

  it('lists and shows what the caller may see, and refuses deletion', async () => {
    const catalog = new LocalImageCatalog(
      parseCatalog(
        `- {id: ${ID1}, name: pub, created_at: '2024-01-01T00:00:00Z'}
- {id: ${ID2}, name: mine, visibility: private, owner: p1, created_at: '2024-02-01T00:00:00Z'}`,
        'c',
        T0,
      ),
    );
    const names = async (ctx: RequestContext) =>
      (await catalog.list(ctx, { limit: 10 })).map((i) => i.name);
    expect(await names(member('p1'))).toEqual(['mine', 'pub']);
    expect(await names(member('p2'))).toEqual(['pub']);
    await expect(catalog.get(member('p2'), ID2)).rejects.toThrow(ImageNotFound);
    await expect(catalog.get(member('p1'), ID2.toUpperCase())).resolves.toMatchObject({
      name: 'mine',
    });
    await expect(catalog.delete(member('p1'), ID2)).rejects.toThrow(ImageNotAuthorized);
    await expect(catalog.delete(member('p1'), 'nope')).rejects.toThrow(ImageNotFound);
  });

  it('keeps snapshot records under the state path: created, uploaded, shared, deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-local-images-'));
    try {
      const base = parseCatalog(`- {id: ${ID1}, name: pub}`, 'c', T0);
      const catalog = new LocalImageCatalog(base, new LocalImageStore(dir));
      const created = await catalog.create(member('p1'), {
        name: 'snap',
        visibility: 'private',
        min_ram: 64,
        min_disk: 1,
        properties: { instance_uuid: 'i1', image_type: 'snapshot' },
      });
      expect(created).toMatchObject({
        name: 'snap',
        status: 'queued',
        owner: 'p1',
        visibility: 'private',
        min_ram: 64,
        properties: { instance_uuid: 'i1', image_type: 'snapshot' },
      });
      // Another process (another catalog on the same directory) sees it.
      const other = new LocalImageCatalog(base, new LocalImageStore(dir));
      await expect(other.get(member('p1'), created.id)).resolves.toMatchObject({ name: 'snap' });
      await expect(other.get(member('p2'), created.id)).rejects.toThrow(ImageNotFound);
      const active = await other.upload(member('p1'), created.id, {
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        size: 5,
        open: () => Readable.from([Buffer.from('hello')]),
      });
      expect(active).toMatchObject({ status: 'active', size: 5, disk_format: 'qcow2' });
      expect(
        (await catalog.list(member('p1'), { limit: 10, filters: { imageType: 'snapshot' } })).map(
          (i) => i.id,
        ),
      ).toEqual([created.id]);
      const shared = await catalog.create(adminContext({ projectId: 'admin' }), {
        name: 'for-p2',
        visibility: 'shared',
        min_ram: 0,
        min_disk: 0,
        properties: {},
        members: ['p2'],
      });
      await expect(catalog.get(member('p2'), shared.id)).resolves.toMatchObject({ owner: 'admin' });
      await expect(catalog.delete(member('p2'), created.id)).rejects.toThrow(ImageNotFound);
      await expect(catalog.delete(member('p1'), ID1)).rejects.toThrow(ImageNotAuthorized);
      await catalog.delete(member('p1'), created.id);
      await expect(other.get(member('p1'), created.id)).rejects.toThrow(ImageNotFound);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes no snapshots without a store', async () => {
    const catalog = new LocalImageCatalog([]);
    await expect(
      catalog.create(member('p1'), {
        name: 's',
        visibility: 'private',
        min_ram: 0,
        min_disk: 0,
        properties: {},
      }),
    ).rejects.toThrow(/takes no new images/);
  });

  it("changes a snapshot record's properties for its owner; the configured catalog is read-only", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-local-images-'));
    try {
      const base = parseCatalog(`- {id: ${ID1}, name: pub, os_distro: cirros}`, 'c', T0);
      const catalog = new LocalImageCatalog(base, new LocalImageStore(dir));
      const snap = await catalog.create(member('p1'), {
        name: 'snap',
        visibility: 'shared',
        min_ram: 0,
        min_disk: 0,
        properties: { instance_uuid: 'i1', os_type: 'linux' },
        members: ['p2'],
      });
      const changed = await catalog.setProperties(member('p1'), snap.id, {
        set: { os_type: 'windows', role: 'web' },
        remove: ['instance_uuid', 'never-there'],
      });
      expect(changed.properties).toEqual({ os_type: 'windows', role: 'web' });
      const reread = new LocalImageCatalog(base, new LocalImageStore(dir));
      await expect(reread.get(member('p2'), snap.id)).resolves.toMatchObject({
        properties: { os_type: 'windows', role: 'web' },
      });
      await expect(
        catalog.setProperties(member('p2'), snap.id, { set: { x: '1' }, remove: [] }),
      ).rejects.toThrow(ImageNotAuthorized);
      await expect(
        catalog.setProperties(member('p1'), ID1, { set: { x: '1' }, remove: [] }),
      ).rejects.toThrow(ImageNotAuthorized);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { adminContext, type RequestContext } from '@nova/common';
import { ImageNotAuthorized, ImageNotFound, InvalidImageCatalog } from './image-errors';
import { BUILTIN_IMAGE_ID, loadCatalog, LocalImageCatalog, parseCatalog } from './local-catalog';

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
});

import { imageFromGlance } from './glance-image';

describe('imageFromGlance', () => {
  const v2 = {
    id: '70a599e0-31e7-49b7-b260-868f441e862b',
    name: 'snap',
    status: 'active',
    visibility: 'private',
    protected: true,
    owner: 'p1',
    size: 1024,
    virtual_size: 4096,
    min_disk: 2,
    min_ram: 512,
    disk_format: 'qcow2',
    container_format: 'bare',
    checksum: 'abc',
    os_hash_algo: 'sha512',
    os_hash_value: 'def',
    os_hidden: false,
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-02T11:30:00Z',
    tags: ['x'],
    self: '/v2/images/70a599e0-31e7-49b7-b260-868f441e862b',
    file: '/v2/images/70a599e0-31e7-49b7-b260-868f441e862b/file',
    schema: '/v2/schemas/image',
    architecture: 'x86_64',
    hw_disk_bus: 'virtio',
    instance_uuid: 'i-1',
    hw_cpu_cores: 2,
  };

  it('keeps core attributes and turns every other attribute into a string property', () => {
    expect(imageFromGlance(v2)).toEqual({
      id: v2.id,
      name: 'snap',
      status: 'active',
      size: 1024,
      min_disk: 2,
      min_ram: 512,
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'private',
      owner: 'p1',
      protected: true,
      created_at: '2024-05-01T10:00:00.000Z',
      updated_at: '2024-05-02T11:30:00.000Z',
      properties: {
        architecture: 'x86_64',
        hw_disk_bus: 'virtio',
        instance_uuid: 'i-1',
        hw_cpu_cores: '2',
      },
    });
  });

  it('fills what a queued image lacks with defaults', () => {
    expect(imageFromGlance({ id: 'x', status: 'queued', size: null, min_ram: '256' })).toEqual(
      expect.objectContaining({
        name: null,
        size: null,
        min_disk: 0,
        min_ram: 256,
        disk_format: null,
        visibility: 'public',
        owner: null,
        protected: false,
        created_at: null,
        properties: {},
      }),
    );
  });

  it.each([null, 'x', [], {}, { id: 3 }])('rejects %j', (raw) => {
    expect(() => imageFromGlance(raw)).toThrow(TypeError);
  });
});

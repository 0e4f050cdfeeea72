import { snapshotImage, type SnapshotSource } from './snapshot-image';

const source: SnapshotSource = {
  uuid: 'server-1',
  projectId: 'p1',
  imageRef: 'base-1',
  rootGb: 5,
  image: {
    min_ram: 256,
    min_disk: 1,
    properties: {
      architecture: 'x86_64',
      hw_disk_bus: 'scsi',
      bittorrent: 'yes',
      img_signature: 'sig',
      os_glance_import_task: 't',
      instance_uuid: 'older-server',
    },
  },
};

describe('snapshotImage', () => {
  it("inherits the server's image properties, minus the non-inheritable ones", () => {
    const image = snapshotImage({ userId: 'u1', projectId: 'p1' }, source, {
      name: 'snap',
      imageType: 'snapshot',
      extraProperties: { purpose: 'test' },
      nonInheritable: ['bittorrent'],
    });
    expect(image).toEqual({
      name: 'snap',
      visibility: 'private',
      min_ram: 256,
      min_disk: 5,
      properties: {
        architecture: 'x86_64',
        hw_disk_bus: 'scsi',
        base_image_ref: 'base-1',
        instance_uuid: 'server-1',
        user_id: 'u1',
        image_type: 'snapshot',
        purpose: 'test',
      },
    });
  });

  it('keeps the first base image of a snapshot of a snapshot, and the larger min_disk', () => {
    const image = snapshotImage(
      { userId: 'u1', projectId: 'p1' },
      {
        ...source,
        rootGb: 1,
        image: { min_ram: 0, min_disk: 10, properties: { base_image_ref: 'first' } },
      },
      {
        name: 'b',
        imageType: 'backup',
        extraProperties: { backup_type: 'daily' },
        nonInheritable: [],
      },
    );
    expect(image.min_disk).toBe(10);
    expect(image.properties).toMatchObject({
      base_image_ref: 'first',
      image_type: 'backup',
      backup_type: 'daily',
    });
  });

  it("shares an admin's snapshot of another project's server with its owner", () => {
    const image = snapshotImage({ userId: 'admin', projectId: 'admin' }, source, {
      name: 's',
      imageType: 'snapshot',
      extraProperties: { instance_owner: 'forged' },
      nonInheritable: [],
    });
    expect(image.visibility).toBe('shared');
    expect(image.members).toEqual(['p1']);
    expect(image.properties['instance_owner']).toBe('p1');
  });

  it('works without a known image', () => {
    const image = snapshotImage(
      { userId: null, projectId: 'p1' },
      { ...source, image: null },
      {
        name: 's',
        imageType: 'snapshot',
        extraProperties: {},
        nonInheritable: [],
      },
    );
    expect(image).toMatchObject({ min_ram: 0, min_disk: 5 });
    expect(image.properties).toEqual({
      base_image_ref: 'base-1',
      instance_uuid: 'server-1',
      user_id: '',
      image_type: 'snapshot',
    });
  });
});

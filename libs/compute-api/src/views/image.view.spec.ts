import type { Image } from '@nova/images';
import { ApiVersion } from '../http/api-version';
import { imageDetail, imageProgress, imageStatus, imageSummary, imageTime } from './image.view';

const v21 = new ApiVersion(2, 1);
const links = [{ rel: 'self', href: 'http://h/v2.1/images/i1' }];
const context = {
  links,
  serverLinks: (id: string) => [{ rel: 'self', href: `http://h/v2.1/servers/${id}` }],
};
const image: Image = {
  id: 'i1',
  name: 'snap',
  status: 'active',
  size: 42,
  min_disk: 1,
  min_ram: 64,
  disk_format: 'raw',
  container_format: 'bare',
  visibility: 'public',
  owner: null,
  protected: false,
  created_at: '2024-01-02T03:04:05.678Z',
  updated_at: null,
  properties: { architecture: 'x86_64' },
};

describe('image view', () => {
  it.each([
    ['active', 'ACTIVE', 100],
    ['queued', 'SAVING', 25],
    ['saving', 'SAVING', 50],
    ['deleted', 'DELETED', 0],
    ['pending_delete', 'DELETED', 0],
    ['killed', 'ERROR', 0],
    ['deactivated', 'UNKNOWN', 0],
    ['importing', 'UNKNOWN', 0],
  ])('maps Glance status %s to %s with progress %d', (glance, nova, progress) => {
    expect(imageStatus(glance)).toBe(nova);
    expect(imageProgress(glance)).toBe(progress);
  });

  it('prints times to the second', () => {
    expect(imageTime('2024-01-02T03:04:05.678Z')).toBe('2024-01-02T03:04:05Z');
    expect(imageTime(null)).toBeNull();
  });

  it('renders the summary and the detail', () => {
    expect(imageSummary(image, v21, context)).toEqual({ id: 'i1', name: 'snap', links });
    expect(imageDetail(image, v21, context)).toEqual({
      id: 'i1',
      name: 'snap',
      minRam: 64,
      minDisk: 1,
      metadata: { architecture: 'x86_64' },
      created: '2024-01-02T03:04:05Z',
      updated: null,
      status: 'ACTIVE',
      progress: 100,
      'OS-EXT-IMG-SIZE:size': 42,
      links,
    });
  });

  it('adds the server of a snapshot and the disk config the image asks for', () => {
    const snap = { ...image, properties: { instance_uuid: 's1', auto_disk_config: 'True' } };
    expect(imageDetail(snap, v21, context)).toMatchObject({
      server: { id: 's1', links: [{ rel: 'self', href: 'http://h/v2.1/servers/s1' }] },
      'OS-DCF:diskConfig': 'AUTO',
    });
    const manual = { ...image, properties: { auto_disk_config: 'false' } };
    expect(imageDetail(manual, v21, context)['OS-DCF:diskConfig']).toBe('MANUAL');
  });
});

import { adminContext, type RequestContext } from '@nova/common';
import type { Image } from './image';
import { ImageMarkerNotFound } from './image-errors';
import { glanceOrder, matchesFilters, pageOf, visibleTo } from './image-query';

const image = (id: string, fields: Partial<Image> = {}): Image => ({
  id,
  name: id,
  status: 'active',
  size: 1,
  min_disk: 0,
  min_ram: 0,
  disk_format: 'qcow2',
  container_format: 'bare',
  visibility: 'public',
  owner: null,
  protected: false,
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  properties: {},
  ...fields,
});

const member = (projectId: string): RequestContext => ({
  ...adminContext(),
  roles: ['member'],
  isAdmin: false,
  projectId,
});

describe('image list logic', () => {
  it('filters by name, status (any case), at-least disk and RAM, update time and properties', () => {
    const img = image('a', {
      min_disk: 10,
      min_ram: 512,
      updated_at: '2024-06-01T00:00:00.000Z',
      properties: { instance_uuid: 's1', image_type: 'snapshot' },
    });
    expect(matchesFilters(img, {})).toBe(true);
    expect(matchesFilters(img, { name: 'a', status: 'ACTIVE' })).toBe(true);
    expect(matchesFilters(img, { name: 'b' })).toBe(false);
    expect(matchesFilters(img, { status: 'queued' })).toBe(false);
    expect(matchesFilters(img, { minDisk: 10, minRam: 512 })).toBe(true);
    expect(matchesFilters(img, { minDisk: 11 })).toBe(false);
    expect(matchesFilters(img, { minRam: 1024 })).toBe(false);
    expect(matchesFilters(img, { changesSince: new Date('2024-06-01T00:00:00Z') })).toBe(true);
    expect(matchesFilters(img, { changesSince: new Date('2024-06-01T00:00:01Z') })).toBe(false);
    expect(matchesFilters(img, { instanceUuid: 's1', imageType: 'snapshot' })).toBe(true);
    expect(matchesFilters(img, { instanceUuid: 's2' })).toBe(false);
  });

  it("applies Glance's visibility", () => {
    const own = image('o', { visibility: 'private', owner: 'p1' });
    const shared = image('s', { visibility: 'shared', owner: 'p1' });
    const community = image('c', { visibility: 'community', owner: 'p1' });
    for (const img of [own, shared, community]) {
      expect(visibleTo(member('p1'), img, true)).toBe(true);
      expect(visibleTo(adminContext(), img, true)).toBe(true);
    }
    expect(visibleTo(member('p2'), own, false)).toBe(false);
    expect(visibleTo(member('p2'), shared, false)).toBe(false);
    expect(visibleTo(member('p2'), community, true)).toBe(false);
    expect(visibleTo(member('p2'), community, false)).toBe(true);
    expect(visibleTo(member('p2'), image('pub'), true)).toBe(true);
  });

  it('orders newest first, then by id descending', () => {
    const list = [
      image('a', { created_at: '2024-01-01T00:00:00.000Z' }),
      image('c', { created_at: '2024-01-01T00:00:00.000Z' }),
      image('b', { created_at: '2024-03-01T00:00:00.000Z' }),
    ].sort(glanceOrder);
    expect(list.map((i) => i.id)).toEqual(['b', 'c', 'a']);
  });

  it('pages after the marker, filtering after it, and rejects an unknown marker', () => {
    const list = ['a', 'b', 'c', 'd', 'e'].map((id) =>
      image(id, { min_ram: id === 'c' ? 0 : 512 }),
    );
    const ids = (images: Image[]) => images.map((i) => i.id);
    expect(ids(pageOf(list, { limit: 2 }))).toEqual(['a', 'b']);
    expect(ids(pageOf(list, { limit: 2, marker: 'b' }))).toEqual(['c', 'd']);
    expect(ids(pageOf(list, { limit: 2, marker: 'b', filters: { minRam: 512 } }))).toEqual([
      'd',
      'e',
    ]);
    // a marker the filters exclude still places the page
    expect(ids(pageOf(list, { limit: 5, marker: 'c', filters: { minRam: 512 } }))).toEqual([
      'd',
      'e',
    ]);
    expect(pageOf(list, { limit: 0 })).toEqual([]);
    expect(() => pageOf(list, { limit: 2, marker: 'zz' })).toThrow(ImageMarkerNotFound);
  });
});

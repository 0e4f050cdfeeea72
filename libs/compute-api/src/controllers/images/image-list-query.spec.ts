import { Invalid } from '@nova/common';
import { imageListQuery, isoTime } from './image-list-query';

describe('imageListQuery', () => {
  it("takes Nova's filters and paging, ignoring anything else", () => {
    expect(
      imageListQuery(
        {
          name: 'cirros',
          status: 'ACTIVE',
          minRam: '512',
          minDisk: '1',
          server: 'http://h/v2.1/servers/abc/',
          type: 'snapshot',
          'changes-since': '2024-01-02T03:04:05Z',
          limit: '5',
          marker: 'm',
          color: 'red',
        },
        1000,
      ),
    ).toEqual({
      limit: 5,
      marker: 'm',
      filters: {
        name: 'cirros',
        status: 'active',
        minRam: 512,
        minDisk: 1,
        instanceUuid: 'abc',
        imageType: 'snapshot',
        changesSince: new Date('2024-01-02T03:04:05Z'),
      },
    });
    expect(imageListQuery({}, 1000)).toEqual({ limit: 1000, filters: {} });
    expect(imageListQuery({ limit: '5000' }, 1000).limit).toBe(1000);
  });

  it.each([{ minRam: 'x' }, { minDisk: '-1' }, { limit: 'a' }, { 'changes-since': 'yesterday' }])(
    'rejects %j with 400',
    (query) => {
      expect(() => imageListQuery(query, 1000)).toThrow(Invalid);
    },
  );

  it('reads ISO 8601 times, UTC when no zone is given', () => {
    expect(isoTime('2024-01-02T03:04:05', 'x').toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(isoTime('2024-01-02', 'x').toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(isoTime('2024-01-02T03:04:05+0100', 'x').toISOString()).toBe('2024-01-02T02:04:05.000Z');
    expect(isoTime('2024-01-02 03:04:05.5Z', 'x').toISOString()).toBe('2024-01-02T03:04:05.500Z');
    expect(() => isoTime('2024-13-45', 'changes-since')).toThrow(
      "Invalid input for query parameters changes-since. Value: 2024-13-45. '2024-13-45' is not a 'date-time'",
    );
  });
});

import {
  clientSideFilters,
  glanceBaseUrl,
  glanceErrorMessage,
  glanceListParams,
} from './glance-protocol';

describe('glance protocol helpers', () => {
  it.each([
    ['glance:9292', 'http://glance:9292'],
    ['https://glance.example.com/', 'https://glance.example.com'],
    ['http://10.0.0.1:9292/v2', 'http://10.0.0.1:9292'],
    ['http://lb/image/', 'http://lb/image'],
  ])('base URL of %s is %s', (server, url) => {
    expect(glanceBaseUrl(server)).toBe(url);
  });

  it("translates Nova's filters to Glance v2 query parameters, leaving minDisk/minRam", () => {
    const filters = {
      name: 'cirros',
      status: 'ACTIVE',
      changesSince: new Date('2024-01-02T03:04:05.678Z'),
      instanceUuid: 'u1',
      imageType: 'snapshot',
      backupType: 'daily',
      minDisk: 1,
      minRam: 2,
    };
    expect(glanceListParams(filters)).toEqual({
      name: 'cirros',
      status: 'active',
      updated_at: 'gte:2024-01-02T03:04:05Z',
      instance_uuid: 'u1',
      image_type: 'snapshot',
      backup_type: 'daily',
    });
    expect(clientSideFilters(filters)).toEqual({ minDisk: 1, minRam: 2 });
    expect(glanceListParams()).toEqual({});
  });

  it("reads Glance's error text from JSON or webob's HTML", () => {
    expect(glanceErrorMessage('{"code": 400, "message": "bad marker", "title": "Bad"}')).toBe(
      'bad marker',
    );
    expect(
      glanceErrorMessage(
        '<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1>Invalid marker.<br /><br /></body></html>',
      ),
    ).toBe('Invalid marker.');
  });
});

import { ApiVersion } from '../../http/api-version';
import { pickForVersion, validateBody } from '../../http/validation';
import { BDM_NOT_SUPPORTED } from './block-devices';
import { createServerRequest, parseAvailabilityZone } from './server-create';
import { CREATE_SERVER_BODIES, type CreateServerBodyFields } from './server-create.dto';

const IMAGE = '88966aae-e51a-4e67-9794-936097a866a2';
const NET = '3cb9bc59-5699-4588-a4b1-b87f96708bc6';
const PORT = 'b7e3f4a8-8a2e-4c3e-9f0c-7d1d1d0f4b55';

function request(version: string, body: unknown, trustedCertsSupported = false) {
  const v = ApiVersion.parse(version);
  const valid = validateBody(pickForVersion(CREATE_SERVER_BODIES, v), body);
  return createServerRequest(valid as CreateServerBodyFields, v, { trustedCertsSupported });
}

function problem(version: string, body: unknown): string {
  try {
    request(version, body);
    return 'ok';
  } catch (e) {
    expect((e as { code?: number }).code).toBe(400);
    return (e as Error).message;
  }
}

const server = (extra: Record<string, unknown> = {}) => ({
  server: { name: 'x', imageRef: IMAGE, flavorRef: '1', ...extra },
});

describe('createServerRequest', () => {
  it('keeps accessIPv6 in its canonical form (Tempest sends a long IPv4-tailed spelling)', () => {
    const r = request('2.1', server({ accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2' }));
    expect(r.accessIPv6).toBe('::babe:dc0c:1602');
    expect(request('2.1', server({ accessIPv6: '2001:DB8:0:0:1::1' })).accessIPv6).toBe(
      '2001:db8::1:0:0:1',
    );
  });

  it('reads sample 14 (2.1) with Nova defaults', () => {
    expect(
      request('2.1', { server: { name: 'sample-srv-21', imageRef: IMAGE, flavorRef: '1' } }),
    ).toEqual({
      name: 'sample-srv-21',
      imageId: IMAGE,
      flavorId: '1',
      adminPass: null,
      metadata: {},
      networks: { kind: 'default' },
      diskConfig: null,
      accessIPv4: null,
      accessIPv6: null,
      personality: [],
      availabilityZone: null,
      forcedHost: null,
      forcedNode: null,
      configDrive: false,
      keyName: null,
      minCount: 1,
      maxCount: 1,
      returnReservationId: false,
      securityGroups: ['default'],
      userData: null,
      // Before 2.19 the description is the name.
      description: 'sample-srv-21',
      tags: [],
      trustedImageCertificates: null,
      host: null,
      hypervisorHostname: null,
      hostname: null,
      schedulerHints: {},
    });
  });

  it('reads sample 15 (2.93)', () => {
    const r = request('2.93', {
      server: {
        name: 'sample-srv-latest',
        imageRef: IMAGE,
        flavorRef: '1',
        networks: 'none',
        key_name: 'sample-kp-imp',
        metadata: { purpose: 'sample' },
        tags: ['sample'],
        description: 'created by samples.py',
      },
    });
    expect(r).toMatchObject({
      networks: { kind: 'none' },
      keyName: 'sample-kp-imp',
      metadata: { purpose: 'sample' },
      tags: ['sample'],
      description: 'created by samples.py',
    });
    expect(request('2.93', server({ networks: 'auto' })).description).toBeNull();
  });

  it('takes the flavor id out of links and numbers', () => {
    expect(request('2.1', server({ flavorRef: 'http://h:8774/flavors/42' })).flavorId).toBe('42');
    expect(request('2.1', server({ flavorRef: 7 })).flavorId).toBe('7');
  });

  it('canonicalizes the image uuid', () => {
    expect(request('2.1', server({ imageRef: IMAGE.toUpperCase() })).imageId).toBe(IMAGE);
  });

  it('needs an image, from imageRef or an image boot mapping', () => {
    expect(problem('2.1', server({ imageRef: '' }))).toBe('Missing imageRef attribute');
    expect(problem('2.1', { server: { name: 'x', flavorRef: '1' } })).toBe(
      'Missing imageRef attribute',
    );
    const boot = {
      source_type: 'image',
      destination_type: 'local',
      boot_index: 0,
      uuid: IMAGE,
      delete_on_termination: true,
    };
    expect(request('2.1', server({ imageRef: '', block_device_mapping_v2: [boot] })).imageId).toBe(
      IMAGE,
    );
    expect(
      request('2.1', server({ block_device_mapping_v2: [{ ...boot, boot_index: '0' }] })).imageId,
    ).toBe(IMAGE);
    expect(
      request(
        '2.42',
        server({ networks: 'auto', block_device_mapping_v2: [{ ...boot, tag: 'root' }] }),
      ).imageId,
    ).toBe(IMAGE);
  });

  it('refuses every other block device mapping', () => {
    const boot = { source_type: 'image', destination_type: 'local', boot_index: 0, uuid: IMAGE };
    for (const mappings of [
      [{ ...boot, source_type: 'volume', destination_type: 'volume' }],
      [{ ...boot, destination_type: 'volume', volume_size: 1 }],
      [{ ...boot, boot_index: 1 }],
      [{ ...boot, delete_on_termination: false }],
      [{ ...boot, uuid: NET }],
      [boot, { source_type: 'blank', destination_type: 'local', boot_index: -1 }],
      [{ ...boot, volume_size: 10 }],
      [{ ...boot, tag: 'root' }],
    ]) {
      expect(problem('2.1', server({ block_device_mapping_v2: mappings }))).toBe(BDM_NOT_SUPPORTED);
    }
    expect(problem('2.1', server({ block_device_mapping: [{ volume_id: NET }] }))).toBe(
      BDM_NOT_SUPPORTED,
    );
    expect(problem('2.1', server({ block_device_mapping: [] }))).toBe('ok');
  });

  it('reads NICs as Nova does', () => {
    expect(
      request(
        '2.1',
        server({
          networks: [
            { uuid: NET, fixed_ip: '10.0.0.5' },
            { port: PORT, uuid: 'ignored' },
          ],
        }),
      ).networks,
    ).toEqual({
      kind: 'list',
      nics: [
        { networkId: NET, portId: null, fixedIp: '10.0.0.5', tag: null },
        { networkId: null, portId: PORT, fixedIp: null, tag: null },
      ],
    });
    expect(request('2.42', server({ networks: [{ uuid: NET, tag: 'n' }] })).networks).toEqual({
      kind: 'list',
      nics: [{ networkId: NET, portId: null, fixedIp: null, tag: 'n' }],
    });
    expect(request('2.37', server({ networks: [] })).networks).toEqual({ kind: 'default' });
    expect(request('2.37', server({ networks: 'auto' })).networks).toEqual({ kind: 'auto' });
    expect(problem('2.1', server({ networks: [{ fixed_ip: '10.0.0.5' }] }))).toBe(
      "Bad network format: missing 'uuid'",
    );
    expect(problem('2.1', server({ networks: [{ uuid: 'net1' }] }))).toBe(
      'Bad networks format: network uuid is not in proper format (net1)',
    );
  });

  it('checks instance counts', () => {
    expect(request('2.1', server({ min_count: '2' }))).toMatchObject({ minCount: 2, maxCount: 2 });
    expect(request('2.1', server({ max_count: 3 }))).toMatchObject({ minCount: 1, maxCount: 3 });
    expect(problem('2.1', server({ min_count: 3, max_count: 2 }))).toBe(
      'min_count must be <= max_count',
    );
    expect(problem('2.1', server({ max_count: 2, networks: [{ port: PORT }] }))).toMatch(
      /^Unable to launch multiple instances with a single configured port ID/,
    );
  });

  it('reads the other fields', () => {
    const r = request(
      '2.1',
      server({
        adminPass: 'secret',
        config_drive: 'True',
        return_reservation_id: 'yes',
        security_groups: [{ name: 'web' }, { name: 'web' }, {}, { name: 'db' }],
        user_data: 'aGk=',
        accessIPv4: '1.2.3.4',
        'OS-DCF:diskConfig': 'AUTO',
        personality: [{ path: '/etc/motd', contents: 'aGk=' }],
      }),
    );
    expect(r).toMatchObject({
      adminPass: 'secret',
      configDrive: true,
      returnReservationId: true,
      securityGroups: ['web', 'db'],
      userData: 'aGk=',
      accessIPv4: '1.2.3.4',
      diskConfig: 'AUTO',
      personality: [{ path: '/etc/motd', contents: 'aGk=' }],
    });
    const hints = { group: NET, custom: ['x'] };
    expect(request('2.1', { ...server(), 'os:scheduler_hints': hints }).schedulerHints).toEqual(
      hints,
    );
    expect(
      request('2.1', { ...server(), 'OS-SCH-HNT:scheduler_hints': hints }).schedulerHints,
    ).toEqual(hints);
    expect(request('2.52', server({ networks: 'none', tags: ['a', 'b', 'a'] })).tags).toEqual([
      'a',
      'b',
    ]);
    expect(
      request('2.90', server({ networks: 'none', hostname: 'web-1', host: 'c1' })),
    ).toMatchObject({ hostname: 'web-1', host: 'c1', hypervisorHostname: null });
  });

  it('refuses trusted image certificates unless supported', () => {
    const body = server({ networks: 'none', trusted_image_certificates: ['c1'] });
    expect(problem('2.63', body)).toBe('Image signature certificate validation is not supported.');
    expect(request('2.63', body, true).trustedImageCertificates).toEqual(['c1']);
    expect(
      request('2.63', server({ networks: 'none', trusted_image_certificates: null }))
        .trustedImageCertificates,
    ).toBeNull();
  });
});

describe('parseAvailabilityZone', () => {
  it.each([
    [null, null, null, null],
    ['nova', 'nova', null, null],
    ['nova:c1', 'nova', 'c1', null],
    ['nova:c1:n1', 'nova', 'c1', 'n1'],
    ['nova::n1', 'nova', null, 'n1'],
    [':c1', null, 'c1', null],
    ['', null, null, null],
  ])('%j -> zone %j host %j node %j', (text, zone, host, node) => {
    expect(parseAvailabilityZone(text)).toEqual({
      availabilityZone: zone,
      forcedHost: host,
      forcedNode: node,
    });
  });

  it('refuses more colons', () => {
    expect(() => parseAvailabilityZone('a:b:c:d')).toThrow(
      'Invalid input received: Unable to parse availability_zone',
    );
  });
});

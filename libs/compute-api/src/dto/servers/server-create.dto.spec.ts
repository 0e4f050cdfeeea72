import { ApiVersion } from '../../http/api-version';
import { pickForVersion, validateBody } from '../../http/validation';
import { CREATE_SERVER_BODIES } from './server-create.dto';

const IMAGE = '88966aae-e51a-4e67-9794-936097a866a2';
const NET = '3cb9bc59-5699-4588-a4b1-b87f96708bc6';

function validate(version: string, body: unknown): object {
  return validateBody(pickForVersion(CREATE_SERVER_BODIES, ApiVersion.parse(version)), body);
}

/** The 400 message, or 'ok'. */
function problem(version: string, body: unknown): string {
  try {
    validate(version, body);
    return 'ok';
  } catch (e) {
    expect((e as { code?: number }).code).toBe(400);
    return (e as Error).message;
  }
}

const server = (extra: Record<string, unknown> = {}) => ({
  server: { name: 'x', imageRef: IMAGE, flavorRef: '1', ...extra },
});
const v237 = (extra: Record<string, unknown> = {}) => server({ networks: 'none', ...extra });

describe('POST /servers schema', () => {
  it('accepts the samples (14: 2.1, 15: 2.93)', () => {
    expect(
      problem('2.1', {
        server: { name: 'sample-srv-21', imageRef: IMAGE, flavorRef: '1' },
      }),
    ).toBe('ok');
    expect(
      problem('2.93', {
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
      }),
    ).toBe('ok');
  });

  it('answers as the samples 26, 27 and 28', () => {
    expect(problem('2.1', { server: { name: 'x', imageRef: IMAGE } })).toBe(
      `Invalid input for field/attribute server. Value: {'name': 'x', 'imageRef': '${IMAGE}'}. 'flavorRef' is a required property`,
    );
    expect(problem('2.1', { server: { name: 12, imageRef: IMAGE, flavorRef: '1' } })).toBe(
      "Invalid input for field/attribute name. Value: 12. 12 is not of type 'string'",
    );
    expect(problem('2.1', server({ networks: 'none' }))).toBe(
      "Invalid input for field/attribute networks. Value: none. 'none' is not of type 'array'",
    );
  });

  it('needs the server object', () => {
    expect(problem('2.1', {})).toBe("'server' is a required property");
    expect(problem('2.1', { server: 'x' })).toBe(
      "Invalid input for field/attribute server. Value: x. 'x' is not of type 'object'",
    );
  });

  it('names every unknown field, at both levels', () => {
    expect(problem('2.1', server({ foo: 1, bar: 2 }))).toBe(
      `Invalid input for field/attribute server. Value: {'name': 'x', 'imageRef': '${IMAGE}', 'flavorRef': '1', 'foo': 1, 'bar': 2}. Additional properties are not allowed ('foo', 'bar' were unexpected)`,
    );
    expect(problem('2.1', { ...server(), extra: true })).toBe(
      "Additional properties are not allowed ('extra' was unexpected)",
    );
  });

  it('checks names', () => {
    expect(problem('2.1', server({ name: ' x' }))).toBe(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
    );
    expect(problem('2.1', server({ name: '' }))).toBe(
      "Invalid input for field/attribute name. Value: . '' is too short",
    );
    expect(problem('2.1', server({ name: 'x'.repeat(256) }))).toMatch(/is too long$/);
    expect(problem('2.1', server({ name: 'x'.repeat(255) }))).toBe('ok');
    expect(problem('2.1', server({ key_name: 'k ' }))).toMatch(/^An invalid 'name' value/);
    expect(problem('2.1', server({ availability_zone: null }))).toBe(
      "Invalid input for field/attribute availability_zone. Value: None. None is not of type 'string'",
    );
  });

  it('checks imageRef and flavorRef', () => {
    expect(problem('2.1', server({ imageRef: 'abc' }))).toBe(
      "Invalid input for field/attribute imageRef. Value: abc. 'abc' is not valid under any of the given schemas",
    );
    expect(problem('2.1', server({ imageRef: '' }))).toBe('ok');
    expect(problem('2.1', server({ imageRef: IMAGE.replaceAll('-', '') }))).toBe('ok');
    expect(problem('2.1', server({ flavorRef: 1 }))).toBe('ok');
    expect(problem('2.1', server({ flavorRef: 'http://h/flavors/1' }))).toBe('ok');
    expect(problem('2.1', server({ flavorRef: '' }))).toBe(
      "Invalid input for field/attribute flavorRef. Value: . '' is too short",
    );
    expect(problem('2.1', server({ flavorRef: 1.5 }))).toBe(
      "Invalid input for field/attribute flavorRef. Value: 1.5. 1.5 is not of type 'string', 'integer'",
    );
  });

  it('checks networks before 2.37', () => {
    expect(problem('2.1', server({ networks: [{ uuid: NET, fixed_ip: '10.0.0.2' }] }))).toBe('ok');
    expect(problem('2.1', server({ networks: [{ port: null, uuid: 'not-checked-here' }] }))).toBe(
      'ok',
    );
    expect(problem('2.1', server({ networks: [{ fixed_ip: 'abc' }] }))).toBe(
      "Invalid input for field/attribute fixed_ip. Value: abc. 'abc' is not valid under any of the given schemas",
    );
    expect(problem('2.1', server({ networks: [{ port: 'abc' }] }))).toBe(
      "Invalid input for field/attribute port. Value: abc. 'abc' is not valid under any of the given schemas",
    );
    expect(problem('2.1', server({ networks: [{ uuid: NET, foo: 1 }] }))).toBe(
      `Invalid input for field/attribute 0. Value: {'uuid': '${NET}', 'foo': 1}. Additional properties are not allowed ('foo' was unexpected)`,
    );
    expect(problem('2.1', server({ networks: ['abc'] }))).toBe(
      "Invalid input for field/attribute networks. Value: ['abc']. ['abc'] is not of type 'object'",
    );
  });

  it('allows device tags at 2.32 and from 2.42, not in between', () => {
    const tagged = { networks: [{ uuid: NET, tag: 'nic1' }] };
    expect(problem('2.31', server(tagged))).toMatch(/'tag' was unexpected/);
    expect(problem('2.32', server(tagged))).toBe('ok');
    expect(problem('2.33', server(tagged))).toMatch(/'tag' was unexpected/);
    expect(problem('2.37', server(tagged))).toMatch(/is not valid under any of the given schemas$/);
    expect(problem('2.42', server(tagged))).toBe('ok');
    expect(problem('2.42', server({ networks: [{ uuid: NET, tag: 'a/b' }] }))).toMatch(
      /is not valid under any of the given schemas$/,
    );
  });

  it('requires networks from 2.37: auto, none or a list with uuids', () => {
    expect(problem('2.37', server())).toBe(
      `Invalid input for field/attribute server. Value: {'name': 'x', 'imageRef': '${IMAGE}', 'flavorRef': '1'}. 'networks' is a required property`,
    );
    expect(problem('2.37', server({ networks: 'auto' }))).toBe('ok');
    expect(problem('2.37', server({ networks: 'none' }))).toBe('ok');
    expect(problem('2.37', server({ networks: [{ uuid: NET }] }))).toBe('ok');
    expect(problem('2.37', server({ networks: [] }))).toBe('ok');
    expect(problem('2.37', server({ networks: 'nonex' }))).toBe(
      "Invalid input for field/attribute networks. Value: nonex. 'nonex' is not valid under any of the given schemas",
    );
    expect(problem('2.37', server({ networks: [{ uuid: 'abc' }] }))).toBe(
      "Invalid input for field/attribute networks. Value: [{'uuid': 'abc'}]. [{'uuid': 'abc'}] is not valid under any of the given schemas",
    );
    expect(problem('2.37', server({ networks: null }))).toBe(
      'Invalid input for field/attribute networks. Value: None. None is not valid under any of the given schemas',
    );
  });

  it('checks metadata keys and values', () => {
    expect(problem('2.1', server({ metadata: { 'a b:c.d_e-f': 'v' } }))).toBe('ok');
    expect(problem('2.1', server({ metadata: { a: 1 } }))).toBe(
      "Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'",
    );
    expect(problem('2.1', server({ metadata: { a: 'v'.repeat(256) } }))).toMatch(
      /^Invalid input for field\/attribute a\. .* is too long$/,
    );
    expect(problem('2.1', server({ metadata: { 'a/b': '1', 'c/d': 'x' } }))).toBe(
      "Invalid input for field/attribute metadata. Value: {'a/b': '1', 'c/d': 'x'}. Additional properties are not allowed ('a/b', 'c/d' were unexpected)",
    );
    expect(problem('2.1', server({ metadata: ['a'] }))).toBe(
      "Invalid input for field/attribute metadata. Value: ['a']. ['a'] is not of type 'object'",
    );
  });

  it('checks the other 2.1 fields', () => {
    expect(problem('2.1', server({ 'OS-DCF:diskConfig': 'AUTO' }))).toBe('ok');
    expect(problem('2.1', server({ 'OS-DCF:diskConfig': 'x' }))).toBe(
      "Invalid input for field/attribute OS-DCF:diskConfig. Value: x. 'x' is not one of ['AUTO', 'MANUAL']",
    );
    expect(problem('2.1', server({ accessIPv4: '1.2.3.4', accessIPv6: '::1' }))).toBe('ok');
    expect(problem('2.1', server({ accessIPv4: '::1' }))).toBe(
      "Invalid input for field/attribute accessIPv4. Value: ::1. '::1' is not a 'ipv4'",
    );
    expect(problem('2.1', server({ accessIPv6: '1.2.3.4' }))).toBe(
      "Invalid input for field/attribute accessIPv6. Value: 1.2.3.4. '1.2.3.4' is not a 'ipv6'",
    );
    expect(problem('2.1', server({ min_count: 2, max_count: '3' }))).toBe('ok');
    expect(problem('2.1', server({ min_count: 0 }))).toBe(
      'Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of 1',
    );
    expect(problem('2.1', server({ max_count: 'x' }))).toBe(
      "Invalid input for field/attribute max_count. Value: x. 'x' does not match '^[0-9]*$'",
    );
    expect(problem('2.1', server({ config_drive: 'true', return_reservation_id: true }))).toBe(
      'ok',
    );
    expect(problem('2.1', server({ config_drive: 'maybe' }))).toMatch(/is not of type 'boolean'$/);
    expect(problem('2.1', server({ user_data: 'aGVsbG8=' }))).toBe('ok');
    expect(problem('2.1', server({ user_data: 'abc' }))).toBe(
      "Invalid input for field/attribute user_data. Value: abc. 'abc' is not a 'base64'",
    );
    expect(problem('2.1', server({ user_data: 'QUJD'.repeat(16384) }))).toMatch(/is too long$/);
    expect(problem('2.1', server({ security_groups: [{ name: 'default' }, {}] }))).toBe('ok');
    expect(problem('2.1', server({ security_groups: [{ id: 'x' }] }))).toMatch(
      /^Invalid input for field\/attribute 0\. .*'id' was unexpected/,
    );
    expect(problem('2.1', server({ adminPass: 5 }))).toBe(
      "Invalid input for field/attribute adminPass. Value: 5. 5 is not of type 'string'",
    );
    expect(problem('2.1', server({ block_device_mapping_v2: [{}] }))).toBe('ok');
  });

  it('has description from 2.19', () => {
    expect(problem('2.18', server({ description: 'd' }))).toMatch(/'description' was unexpected/);
    expect(problem('2.19', server({ description: 'd' }))).toBe('ok');
    expect(problem('2.19', server({ description: null }))).toBe('ok');
    expect(problem('2.19', server({ description: 5 }))).toBe(
      "Invalid input for field/attribute description. Value: 5. 5 is not of type 'string', 'null'",
    );
    expect(problem('2.19', server({ description: 'd'.repeat(256) }))).toMatch(/is too long$/);
    expect(problem('2.19', server({ description: 'a\u0007' }))).toMatch(/does not match/);
  });

  it('has personality until 2.56', () => {
    const files = { personality: [{ path: '/etc/motd', contents: 'aGk=' }] };
    expect(problem('2.56', v237(files))).toBe('ok');
    expect(problem('2.56', v237({ personality: [{ path: '/x', contents: 'abc' }] }))).toBe(
      "Invalid input for field/attribute contents. Value: abc. 'abc' is not a 'base64'",
    );
    expect(problem('2.57', v237(files))).toMatch(/'personality' was unexpected\)$/);
  });

  it('has tags from 2.52', () => {
    expect(problem('2.51', v237({ tags: ['a'] }))).toMatch(/'tags' was unexpected/);
    expect(problem('2.52', v237({ tags: ['a', 'b'] }))).toBe('ok');
    expect(problem('2.52', v237({ tags: ['a', 'b/c'] }))).toBe(
      "Invalid input for field/attribute 1. Value: b/c. 'b/c' does not match '^[^,/]*$'",
    );
    expect(problem('2.52', v237({ tags: [''] }))).toBe(
      "Invalid input for field/attribute 0. Value: . '' is too short",
    );
    expect(problem('2.52', v237({ tags: ['t'.repeat(61)] }))).toMatch(/is too long$/);
    expect(problem('2.52', v237({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }))).toMatch(
      /is too long$/,
    );
  });

  it('has trusted_image_certificates from 2.63', () => {
    expect(problem('2.62', v237({ trusted_image_certificates: ['a'] }))).toMatch(/unexpected/);
    expect(problem('2.63', v237({ trusted_image_certificates: ['a', 'b'] }))).toBe('ok');
    expect(problem('2.63', v237({ trusted_image_certificates: null }))).toBe('ok');
    expect(problem('2.63', v237({ trusted_image_certificates: [] }))).toMatch(/is too short$/);
    expect(problem('2.63', v237({ trusted_image_certificates: ['a', 'a'] }))).toMatch(
      /has non-unique elements$/,
    );
    expect(problem('2.63', v237({ trusted_image_certificates: [''] }))).toMatch(/is too short$/);
  });

  it('has host and hypervisor_hostname from 2.74, hostname from 2.90', () => {
    expect(problem('2.73', v237({ host: 'c1' }))).toMatch(/'host' was unexpected/);
    expect(problem('2.74', v237({ host: 'c1', hypervisor_hostname: 'c1.example.org' }))).toBe('ok');
    expect(problem('2.74', v237({ host: 'c 1' }))).toBe(
      "Invalid input for field/attribute host. Value: c 1. 'c 1' does not match '^[a-zA-Z0-9-._]*$'",
    );
    expect(problem('2.89', v237({ hostname: 'web-1' }))).toMatch(/'hostname' was unexpected/);
    expect(problem('2.90', v237({ hostname: 'web-1' }))).toBe('ok');
    expect(problem('2.90', v237({ hostname: '-web' }))).toMatch(/does not match/);
    expect(problem('2.90', v237({ hostname: 'a' }))).toMatch(/is too short$/);
    expect(problem('2.90', v237({ hostname: 'a.b' }))).toMatch(/does not match/);
  });

  it('checks scheduler hints and lets unknown hints through', () => {
    const hints = (h: unknown) => ({ ...server(), 'os:scheduler_hints': h });
    expect(
      problem(
        '2.1',
        hints({
          group: NET,
          same_host: [NET],
          different_host: NET,
          query: '[">=", "$free_ram_mb", 1024]',
          build_near_host_ip: '10.0.0.1',
          cidr: '/24',
          custom: { any: 'thing' },
        }),
      ),
    ).toBe('ok');
    expect(problem('2.1', hints({ group: 'x' }))).toBe(
      "Invalid input for field/attribute group. Value: x. 'x' is not a 'uuid'",
    );
    expect(problem('2.1', hints({ same_host: ['x'] }))).toBe(
      "Invalid input for field/attribute same_host. Value: ['x']. ['x'] is not valid under any of the given schemas",
    );
    expect(problem('2.1', hints({ query: 5 }))).toBe(
      "Invalid input for field/attribute query. Value: 5. 5 is not of type 'string', 'object'",
    );
    expect(problem('2.1', hints({ cidr: '24' }))).toMatch(/does not match/);
    expect(problem('2.1', hints('x'))).toBe(
      "Invalid input for field/attribute os:scheduler_hints. Value: x. 'x' is not of type 'object'",
    );
    expect(problem('2.1', { ...server(), 'OS-SCH-HNT:scheduler_hints': { group: NET } })).toBe(
      'ok',
    );
  });
});

import { ApiVersion } from '../../http/api-version';
import { pickForVersion, validateBody } from '../../http/validation';
import {
  UPDATE_SERVER_BODIES,
  updateServerRequest,
  type UpdateServerBodyFields,
} from './server-update.dto';

function update(version: string, server: unknown) {
  const cls = pickForVersion(UPDATE_SERVER_BODIES, ApiVersion.parse(version));
  return updateServerRequest(validateBody(cls, { server }) as UpdateServerBodyFields);
}

function problem(version: string, body: unknown): string {
  try {
    validateBody(pickForVersion(UPDATE_SERVER_BODIES, ApiVersion.parse(version)), body);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('PUT /servers/{id} body', () => {
  it('keeps only what the body sets', () => {
    expect(update('2.1', { name: 'new' })).toEqual({ name: 'new' });
    expect(update('2.1', {})).toEqual({});
    expect(
      update('2.90', {
        name: 'n',
        description: null,
        accessIPv4: '1.2.3.4',
        accessIPv6: '::1',
        'OS-DCF:diskConfig': 'MANUAL',
        hostname: 'web-1',
      }),
    ).toEqual({
      name: 'n',
      description: null,
      accessIPv4: '1.2.3.4',
      accessIPv6: '::1',
      diskConfig: 'MANUAL',
      hostname: 'web-1',
    });
  });

  it('grows with the microversions', () => {
    expect(problem('2.18', { server: { description: 'd' } })).toBe(
      "Invalid input for field/attribute server. Value: {'description': 'd'}. Additional properties are not allowed ('description' was unexpected)",
    );
    expect(problem('2.19', { server: { description: 'd' } })).toBe('ok');
    expect(problem('2.89', { server: { hostname: 'h1' } })).toMatch(/'hostname' was unexpected/);
    expect(problem('2.90', { server: { hostname: 'h1' } })).toBe('ok');
  });

  it('answers in Nova words', () => {
    expect(problem('2.1', {})).toBe("'server' is a required property");
    expect(problem('2.1', { server: { name: ' x' } })).toMatch(/^An invalid 'name' value/);
    expect(problem('2.1', { server: { name: null } })).toBe(
      "Invalid input for field/attribute name. Value: None. None is not of type 'string'",
    );
    expect(problem('2.1', { server: { accessIPv4: 'x' } })).toBe(
      "Invalid input for field/attribute accessIPv4. Value: x. 'x' is not a 'ipv4'",
    );
    expect(problem('2.1', { server: { id: 'x' } })).toMatch(/'id' was unexpected\)$/);
    expect(problem('2.19', { server: { description: 'd'.repeat(256) } })).toMatch(/is too long$/);
  });
});

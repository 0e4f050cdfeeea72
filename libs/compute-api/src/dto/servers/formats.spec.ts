import {
  idFromHref,
  isBase64Format,
  isIpv4Format,
  isIpv6Format,
  isUuidFormat,
  NAME_FORMAT,
} from './formats';

describe('formats', () => {
  // Expectations taken from Python's base64.decodebytes on the same input.
  it.each([
    ['%', true],
    ['aGk=', true],
    ['aGk', false],
    ['a', false],
    ['ab==', true],
    ['ab=x=', true],
    ['a=b', false],
    ['YQ==YQ', true],
    ['Y Q = =', true],
    ['ab=', false],
    ['', true],
  ])('base64 %j -> %s', (text, ok) => {
    expect(isBase64Format(text)).toBe(ok);
  });

  it('knows IP addresses', () => {
    expect(isIpv4Format('10.0.0.1')).toBe(true);
    expect(isIpv4Format('10.0.0.256')).toBe(false);
    expect(isIpv4Format('::1')).toBe(false);
    expect(isIpv6Format('fe80::1')).toBe(true);
    expect(isIpv6Format('fe80::1%eth0')).toBe(false);
    expect(isIpv6Format('10.0.0.1')).toBe(false);
  });

  it('knows uuids the lenient way', () => {
    expect(isUuidFormat('88966aae-e51a-4e67-9794-936097a866a2')).toBe(true);
    expect(isUuidFormat('88966AAEE51A4E679794936097A866A2')).toBe(true);
    expect(isUuidFormat('88966aae')).toBe(false);
  });

  it('takes ids out of links', () => {
    expect(idFromHref('1')).toBe('1');
    expect(idFromHref(42)).toBe('42');
    expect(idFromHref('http://openstack.example.com/openstack/flavors/1')).toBe('1');
    expect(idFromHref('http://h/v2.1/flavors/m1.tiny?q=4')).toBe('m1.tiny');
    expect(idFromHref('flavors/abc123')).toBe('abc123');
  });

  it('checks names', () => {
    expect(NAME_FORMAT.test('a b')).toBe(true);
    expect(NAME_FORMAT.test(' a')).toBe(false);
    expect(NAME_FORMAT.test('a\t')).toBe(false);
    expect(NAME_FORMAT.test('a\u0000b')).toBe(false);
  });
});

import { bitString, integer, oid, sequence, set, time } from './der';

const hex = (b: Buffer) => b.toString('hex');

describe('DER encoding', () => {
  it('writes INTEGERs minimally, with a 0 byte before a set top bit', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(3))).toBe('020103');
    expect(hex(integer(2048))).toBe('02020800');
    expect(hex(integer(Buffer.from('0000ff', 'hex')))).toBe('020200ff');
  });

  it('writes OIDs with base-128 arcs', () => {
    expect(hex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(oid('2.5.29.37'))).toBe('0603551d25');
  });

  it('writes long lengths in the long form', () => {
    const long = sequence(Buffer.alloc(300));
    expect(hex(long.subarray(0, 4))).toBe('3082012c');
    expect(long).toHaveLength(304);
  });

  it('sorts SET OF elements and prefixes BIT STRINGs with no unused bits', () => {
    expect(hex(set(integer(2), integer(1)))).toBe('3106020101020102');
    expect(hex(bitString(Buffer.from([0xff])))).toBe('030200ff');
  });

  it('uses UTCTime before 2050 and GeneralizedTime from it', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe(
      '\x18\x0f20500101000000Z',
    );
  });
});

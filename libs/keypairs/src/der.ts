/**
 * Just enough DER to build an X.509 certificate and a PKCS#12 file: each
 * function returns one encoded TLV (tag, length, value).
 */

function tlv(tag: number, value: Buffer): Buffer {
  const n = value.length;
  let length: Buffer;
  if (n < 0x80) {
    length = Buffer.from([n]);
  } else {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) {
      bytes.unshift(rest % 256);
    }
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, value]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));

/** A SET OF; DER wants its elements sorted by their encoding. */
export const set = (...items: Buffer[]): Buffer =>
  tlv(0x31, Buffer.concat([...items].sort((a, b) => Buffer.compare(a, b))));

export const octetString = (value: Buffer): Buffer => tlv(0x04, value);

export const bitString = (value: Buffer): Buffer =>
  tlv(0x03, Buffer.concat([Buffer.from([0]), value]));

export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from a small number or big-endian magnitude bytes. */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    const out: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) {
      out.unshift(rest % 256);
    }
    bytes = Buffer.from(out.length > 0 ? out : [0]);
  } else {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) {
      start++;
    }
    bytes = value.subarray(start);
  }
  // A set top bit would read as negative.
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      chunk.unshift((v & 0x7f) | 0x80);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** `[n]` EXPLICIT (constructed, context-specific) around an encoded value. */
export const explicit = (n: number, ...inner: Buffer[]): Buffer =>
  tlv(0xa0 | n, Buffer.concat(inner));

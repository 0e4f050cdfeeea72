import { createHash, createHmac, randomBytes } from 'node:crypto';
import { explicit, integer, nullValue, octetString, oid, sequence, set } from './der';

const DATA = '1.2.840.113549.1.7.1';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const SHA1 = '1.3.14.3.2.26';
const MAC_ITERATIONS = 2048;

/**
 * A PKCS#12 file holding one private key (PKCS#8 DER) and its certificate,
 * with the empty password, as `openssl pkcs12 -export -password pass:` writes
 * it for Nova's x509 keypairs (key and certificate bags in clear, integrity
 * by an HMAC-SHA1 keyed from the empty password, RFC 7292).
 */
export function pkcs12(privateKeyPkcs8: Buffer, certificate: Buffer): Buffer {
  // Both bags carry the same local key id so readers pair the key with its certificate.
  const keyId = set(sequence(oid(LOCAL_KEY_ID), set(octetString(sha1(certificate)))));
  const certBag = sequence(
    oid(CERT_BAG),
    explicit(0, sequence(oid(X509_CERTIFICATE), explicit(0, octetString(certificate)))),
    keyId,
  );
  const keyBag = sequence(oid(KEY_BAG), explicit(0, privateKeyPkcs8), keyId);
  const authenticatedSafe = sequence(dataContent(sequence(certBag)), dataContent(sequence(keyBag)));
  const salt = randomBytes(8);
  const macKey = pkcs12Kdf(emptyPassword(), salt, 3, MAC_ITERATIONS, 20);
  const mac = createHmac('sha1', macKey).update(authenticatedSafe).digest();
  return sequence(
    integer(3),
    dataContent(authenticatedSafe),
    sequence(
      sequence(sequence(oid(SHA1), nullValue()), octetString(mac)),
      octetString(salt),
      integer(MAC_ITERATIONS),
    ),
  );
}

function dataContent(content: Buffer): Buffer {
  return sequence(oid(DATA), explicit(0, octetString(content)));
}

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest();
}

/** The empty password as a BMPString with its terminating NUL. */
function emptyPassword(): Buffer {
  return Buffer.alloc(2);
}

/** RFC 7292 appendix B.2 key derivation with SHA-1 (u = 20, v = 64). */
export function pkcs12Kdf(
  password: Buffer,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
): Buffer {
  const v = 64;
  const fill = (data: Buffer): Buffer => {
    if (data.length === 0) {
      return Buffer.alloc(0);
    }
    const out = Buffer.alloc(v * Math.ceil(data.length / v));
    for (let i = 0; i < out.length; i++) {
      out[i] = data[i % data.length] ?? 0;
    }
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([fill(salt), fill(password)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += 20) {
    let a = sha1(Buffer.concat([diversifier, input]));
    for (let i = 1; i < iterations; i++) {
      a = sha1(a);
    }
    blocks.push(a);
    // Next round's input: each v-byte block of I plus (B + 1), B being A repeated to v bytes.
    const b = fill(a);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (input[offset + k] ?? 0) + (b[k] ?? 0) + carry;
        input[offset + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

import { randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import {
  bitString,
  explicit,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  set,
  time,
  utf8String,
} from './der';
import { InvalidKeypair } from './keypair-errors';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The DER bytes of the first certificate in a PEM text, or InvalidKeypair. */
export function parseX509Pem(pem: string): Buffer {
  const block = PEM_CERTIFICATE.exec(pem)?.[0];
  try {
    if (block === undefined) {
      throw new Error('no PEM certificate');
    }
    return new X509Certificate(block).raw;
  } catch {
    throw new InvalidKeypair(
      'failed to generate X509 fingerprint. Error message: Unable to load PEM file.',
    );
  }
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue());
const TEN_YEARS_DAYS = 3650;

/**
 * A self-signed client certificate like the one Nova has openssl make for
 * WinRM: subject CN=<user>, ten years, extended key usage clientAuth, and the
 * user principal name `<user>@localhost` as a subjectAltName otherName.
 */
export function selfSignedClientCertificate(
  userId: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
  now = new Date(),
): Buffer {
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8String(userId))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01; // positive and without a leading zero
  const notAfter = new Date(now.getTime() + TEN_YEARS_DAYS * 86_400_000);
  const extensions = sequence(
    sequence(oid('2.5.29.37'), octetString(sequence(oid('1.3.6.1.5.5.7.3.2')))),
    sequence(
      oid('2.5.29.17'),
      octetString(
        sequence(
          explicit(
            0,
            oid('1.3.6.1.4.1.311.20.2.3'),
            explicit(0, utf8String(`${userId}@localhost`)),
          ),
        ),
      ),
    ),
  );
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    SHA256_WITH_RSA,
    name,
    sequence(time(now), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  return sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, privateKey)));
}

export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

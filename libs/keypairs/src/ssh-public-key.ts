import { createPublicKey } from 'node:crypto';
import { parseKey, type Key } from 'sshpk';
import { InvalidKeypair } from './keypair-errors';

/** OpenSSH public key algorithms we accept (what Nova's key loader takes, sshpk permitting). */
const ALGORITHMS = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
]);

/** "<algorithm> <base64 blob>[ <comment>]", fields separated by one space as Nova splits them. */
const OPENSSH_LINE = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?:\s|$)/;

export interface SshPublicKey {
  readonly algorithm: string;
  /** The key blob (RFC 4253 wire format), what the fingerprint is taken of. */
  readonly blob: Buffer;
  readonly key: Key;
}

/**
 * An OpenSSH public key line, checked as strictly as Nova's loader: a known
 * algorithm, a well-formed base64 blob that names the same algorithm, holds a
 * complete key and nothing after it, and that OpenSSL accepts as a key.
 */
export function parseSshPublicKey(text: string): SshPublicKey {
  const [, algorithm = '', base64 = ''] = OPENSSH_LINE.exec(text) ?? [];
  if (!ALGORITHMS.has(algorithm) || base64.length % 4 !== 0) {
    throw fingerprintFailure();
  }
  const blob = Buffer.from(base64, 'base64');
  let key: Key;
  try {
    key = parseKey(blob, 'rfc4253');
    if (blobAlgorithm(blob) !== algorithm) {
      throw new Error('algorithm in the blob differs from the one named');
    }
    checkWithOpenSsl(key);
  } catch {
    throw fingerprintFailure();
  }
  return { algorithm, blob, key };
}

function blobAlgorithm(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/**
 * RSA: the exponent must be odd and at least 3 (all OpenSSL would check of a
 * public key, read here without its parse). Other types: OpenSSL rejects what
 * sshpk lets through (points off the curve, bad parameters).
 */
function checkWithOpenSsl(key: Key): void {
  if (key.type === 'rsa') {
    const e = BigInt(`0x${key.part['e']?.data.toString('hex') || '0'}`);
    if (e < 3n || e % 2n === 0n) {
      throw new Error('RSA public exponent must be odd and at least 3');
    }
    return;
  }
  createPublicKey(key.toString('pkcs8'));
}

function fingerprintFailure(): InvalidKeypair {
  return new InvalidKeypair('failed to generate fingerprint');
}

import { createHash } from 'node:crypto';
import { parseSshPublicKey } from './ssh-public-key';
import { parseX509Pem } from './x509-certificate';

export type KeypairType = 'ssh' | 'x509';

/** Nova's fingerprint of an ssh key: MD5 of the key blob, colon-separated lowercase hex. */
export function sshFingerprint(publicKey: string): string {
  return colonHex(createHash('md5').update(parseSshPublicKey(publicKey).blob).digest());
}

/** Nova's fingerprint of an x509 keypair: SHA-1 of the DER certificate, colon-separated lowercase hex. */
export function x509Fingerprint(pem: string): string {
  return colonHex(createHash('sha1').update(parseX509Pem(pem)).digest());
}

/** The fingerprint of a public key of either type; InvalidKeypair when it is not one. */
export function fingerprintOf(type: KeypairType, publicKey: string): string {
  return type === 'x509' ? x509Fingerprint(publicKey) : sshFingerprint(publicKey);
}

function colonHex(digest: Buffer): string {
  return (digest.toString('hex').match(/../g) ?? []).join(':');
}

import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { parseKey } from 'sshpk';
import { sshFingerprint, x509Fingerprint } from './fingerprints';
import { pkcs12 } from './pkcs12';
import { certificatePem, selfSignedClientCertificate } from './x509-certificate';

export interface GeneratedKeypair {
  /** Returned to the caller once, never stored. */
  readonly privateKey: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

const RSA_BITS = 2048;
const COMMENT = 'Generated-by-Nova';

const generateRsa = promisify(generateKeyPair);

/** RSA in OpenSSL's thread pool, so a keypair request does not stall the event loop. */
async function rsaKey(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return generateRsa('rsa', { modulusLength: RSA_BITS, publicExponent: 0x10001 });
}

/**
 * An ssh keypair as Nova makes one: RSA 2048, the private key as a PEM
 * "RSA PRIVATE KEY" and the public key as an OpenSSH line with Nova's comment.
 */
export async function generateSshKeypair(): Promise<GeneratedKeypair> {
  const { privateKey, publicKey } = await rsaKey();
  const sshKey = parseKey(publicKey.export({ type: 'spki', format: 'pem' }), 'pem');
  sshKey.comment = COMMENT;
  const openssh = sshKey.toString('ssh');
  return {
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKey: openssh,
    fingerprint: sshFingerprint(openssh),
  };
}

/**
 * An x509 keypair as Nova makes one for WinRM: a self-signed client
 * certificate for the user (the public key, PEM) and the private key with it
 * as a base64 PKCS#12 file with the empty password.
 */
export async function generateX509Keypair(userId: string): Promise<GeneratedKeypair> {
  const { privateKey, publicKey } = await rsaKey();
  const certificate = selfSignedClientCertificate(userId, privateKey, publicKey);
  const pem = certificatePem(certificate);
  return {
    privateKey: pkcs12(privateKey.export({ type: 'pkcs8', format: 'der' }), certificate).toString(
      'base64',
    ),
    publicKey: pem,
    fingerprint: x509Fingerprint(pem),
  };
}

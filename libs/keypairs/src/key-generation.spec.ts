import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshFingerprint, x509Fingerprint } from './fingerprints';
import { generateSshKeypair, generateX509Keypair } from './key-generation';
import { pkcs12Kdf } from './pkcs12';

async function withTempDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-kp-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('generateSshKeypair', () => {
  it("makes an RSA 2048 key: PEM private key, OpenSSH public key with Nova's comment", async () => {
    const kp = await generateSshKeypair();
    expect(kp.privateKey).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END RSA PRIVATE KEY-----\n$/,
    );
    expect(kp.publicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ Generated-by-Nova$/);
    expect(kp.fingerprint).toBe(sshFingerprint(kp.publicKey));
    expect(kp.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const details = createPrivateKey(kp.privateKey).asymmetricKeyDetails;
    expect(details).toEqual({ modulusLength: 2048, publicExponent: 65537n });
  });

  it('makes a different key every time', async () => {
    const [a, b] = await Promise.all([generateSshKeypair(), generateSshKeypair()]);
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it('gives a private key ssh-keygen derives the same public key and fingerprint from', async () => {
    const kp = await generateSshKeypair();
    await withTempDir((dir) => {
      const file = join(dir, 'id_rsa');
      writeFileSync(file, kp.privateKey, { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
      expect(derived.trim().split(' ').slice(0, 2)).toEqual(kp.publicKey.split(' ').slice(0, 2));
      writeFileSync(`${file}.pub`, kp.publicKey);
      const listed = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', `${file}.pub`], {
        encoding: 'utf8',
      });
      expect(listed).toContain(`MD5:${kp.fingerprint} Generated-by-Nova (RSA)`);
    });
  });
});

describe('generateX509Keypair', () => {
  it('makes a self-signed client certificate for the user, signed by its key', async () => {
    const kp = await generateX509Keypair('c0ffee');
    const cert = new X509Certificate(kp.publicKey);
    expect(cert.subject).toBe('CN=c0ffee');
    expect(cert.issuer).toBe('CN=c0ffee');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.verify(cert.publicKey)).toBe(true);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365 * 86_400_000);
    expect(Math.round(years)).toBe(10);
    expect(kp.fingerprint).toBe(x509Fingerprint(kp.publicKey));
    expect(kp.fingerprint).toBe(cert.fingerprint.toLowerCase());
  });

  it('returns the key and certificate as a base64 PKCS#12 file openssl opens with the empty password', async () => {
    const kp = await generateX509Keypair('winrm-user');
    await withTempDir((dir) => {
      const p12 = join(dir, 'k.p12');
      writeFileSync(p12, Buffer.from(kp.privateKey, 'base64'));
      const text = execFileSync(
        'openssl',
        ['x509', '-noout', '-text', '-ext', 'subjectAltName,extendedKeyUsage'],
        { input: kp.publicKey, encoding: 'utf8' },
      );
      expect(text).toContain('TLS Web Client Authentication');
      expect(text).toMatch(
        /othername: (UPN|msUPN|1\.3\.6\.1\.4\.1\.311\.20\.2\.3)::winrm-user@localhost/,
      );
      const opened = execFileSync('openssl', ['pkcs12', '-in', p12, '-passin', 'pass:', '-nodes'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(
        opened,
      )?.[0];
      expect(certPem).toBe(kp.publicKey);
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(
        opened,
      )?.[0];
      const derivedPublic = createPublicKey(createPrivateKey(keyPem ?? ''));
      expect(
        derivedPublic
          .export({ type: 'spki', format: 'der' })
          .equals(
            new X509Certificate(kp.publicKey).publicKey.export({ type: 'spki', format: 'der' }),
          ),
      ).toBe(true);
    });
  });
});

describe('pkcs12Kdf', () => {
  it('matches the published RFC 7292 test vector (password "smeg", SHA-1)', () => {
    const smeg = Buffer.from('\0s\0m\0e\0g\0\0', 'latin1'); // BMPString with its NUL
    const salt = Buffer.from('0a58cf64530d823f', 'hex');
    expect(pkcs12Kdf(smeg, salt, 1, 1, 24).toString('hex')).toBe(
      '8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3',
    );
  });

  it("equals openssl's PKCS12KDF for the MAC key", () => {
    const salt = '0102030405060708';
    const expected = execFileSync(
      'openssl',
      [
        'kdf',
        '-keylen',
        '20',
        '-kdfopt',
        'digest:SHA1',
        '-kdfopt',
        `hexpass:0000`,
        '-kdfopt',
        `hexsalt:${salt}`,
        '-kdfopt',
        'iter:2048',
        '-kdfopt',
        'id:3',
        'PKCS12KDF',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .replace(/:/g, '')
      .toLowerCase();
    expect(pkcs12Kdf(Buffer.alloc(2), Buffer.from(salt, 'hex'), 3, 2048, 20).toString('hex')).toBe(
      expected,
    );
  });
});

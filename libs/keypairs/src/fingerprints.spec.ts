import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, sshFingerprint, x509Fingerprint } from './fingerprints';
import { InvalidKeypair } from './keypair-errors';

/** The key of Nova's sample 09 and the fingerprint Nova reported for it. */
const NOVA_SAMPLE_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0aWUR6sh7FibmEyGxdF7vWo+7mTH8Tq1mEMJVicnqzBPjIvtFXUQnX/4dCOkeiUza3DQzFhHilEdcAoGdwgIZXrTWjpXz7qd4hqC6wdvSoZB/fBtoYXoK3fzWttHHDCQ4chxT+xYSdRuJcQxGpCeaC+HOiIvQbsWSoplKNY4P1unNkj+mygGZFPtlMu/DLi9fkSY/OnLbA9A+/XQtpIBQ858FZ+NQstN8rSM57csY2Lw6MbuemYSOyQdij6uJFhbbWTHzXxcuf3Qx9knZpgEorCH3FUGWmX5u0nDAD104YoD/DjynGSRDUEyH6RWv8JknQ74hJl+NCQ5KTQxPaSoJ Generated-by-Nova';
const NOVA_SAMPLE_FINGERPRINT = '8a:b2:99:18:95:98:4f:a9:8f:ee:b3:9e:53:8f:03:dd';
const [, SAMPLE_BLOB] = NOVA_SAMPLE_KEY.split(' ') as [string, string, string];

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'nova-kp-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidKeypair);
    return (err as Error).message;
  }
  throw new Error('expected InvalidKeypair');
}

describe('ssh fingerprints', () => {
  it("match Nova's fingerprint of its sample key", () => {
    expect(sshFingerprint(NOVA_SAMPLE_KEY)).toBe(NOVA_SAMPLE_FINGERPRINT);
    expect(fingerprintOf('ssh', NOVA_SAMPLE_KEY)).toBe(NOVA_SAMPLE_FINGERPRINT);
  });

  it('do not depend on the comment or a trailing newline', () => {
    const bare = `ssh-rsa ${SAMPLE_BLOB}`;
    for (const text of [bare, `${bare}\n`, `${bare} me@host with spaces`, `${bare}\tx`]) {
      expect(sshFingerprint(text)).toBe(NOVA_SAMPLE_FINGERPRINT);
    }
  });

  it("equal ssh-keygen's MD5 fingerprints for every key type", () => {
    withTempDir((dir) => {
      for (const [type, bits] of [
        ['rsa', '2048'],
        ['rsa', '4096'],
        ['ed25519', ''],
        ['ecdsa', '256'],
        ['ecdsa', '384'],
        ['ecdsa', '521'],
        ['dsa', ''],
      ] as const) {
        const file = join(dir, `${type}${bits}`);
        execFileSync(
          'ssh-keygen',
          ['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-C', 'u@h', '-f', file],
          { stdio: 'ignore' },
        );
        const expected = /MD5:([0-9a-f:]{47})/.exec(
          execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', `${file}.pub`], {
            encoding: 'utf8',
          }),
        )?.[1];
        expect({ type, bits, fp: sshFingerprint(readFileSync(`${file}.pub`, 'utf8')) }).toEqual({
          type,
          bits,
          fp: expected,
        });
      }
    });
  });

  it.each([
    ['empty', ''],
    ['garbage', 'this is not a key'],
    ['no blob', 'ssh-rsa'],
    ['unknown algorithm', `ssh-foo ${SAMPLE_BLOB}`],
    ['algorithm differs from the blob', `ssh-ed25519 ${SAMPLE_BLOB}`],
    ['leading space', ` ssh-rsa ${SAMPLE_BLOB}`],
    ['two spaces', `ssh-rsa  ${SAMPLE_BLOB}`],
    ['truncated blob', `ssh-rsa ${SAMPLE_BLOB.slice(0, 200)}`],
    ['bad base64 length', `ssh-rsa ${SAMPLE_BLOB}A`],
    ['non-base64 characters', `ssh-rsa ${SAMPLE_BLOB.slice(0, 40)}!!${SAMPLE_BLOB.slice(42)}`],
    [
      'trailing bytes in the blob',
      `ssh-rsa ${Buffer.concat([Buffer.from(SAMPLE_BLOB, 'base64'), Buffer.from([0, 0, 0, 1, 7])]).toString('base64')}`,
    ],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----'],
    ['blob of a random string', `ssh-rsa ${Buffer.from('hello world!').toString('base64')}`],
  ])('reject %s', (_name, text) => {
    expect(invalidMessage(() => sshFingerprint(text))).toBe(
      'Keypair data is invalid: failed to generate fingerprint',
    );
  });

  it('reject an RSA key with an even public exponent', () => {
    const blob = Buffer.from(SAMPLE_BLOB, 'base64');
    // ssh-rsa blob: string "ssh-rsa" (4+7), mpint e = 0x010001 (4+3), mpint n.
    blob[4 + 7 + 4 + 2] = 0x02;
    expect(() => sshFingerprint(`ssh-rsa ${blob.toString('base64')}`)).toThrow(InvalidKeypair);
  });
});

describe('x509 fingerprints', () => {
  it("equal openssl's SHA-1 fingerprint of the DER certificate, lowercase", () => {
    withTempDir((dir) => {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-nodes',
          '-newkey',
          'rsa:2048',
          '-days',
          '30',
          '-subj',
          '/CN=someone',
          '-keyout',
          join(dir, 'k.pem'),
          '-out',
          join(dir, 'c.pem'),
        ],
        { stdio: 'ignore' },
      );
      const expected = /=([0-9A-F:]+)/
        .exec(
          execFileSync(
            'openssl',
            ['x509', '-noout', '-fingerprint', '-sha1', '-in', join(dir, 'c.pem')],
            {
              encoding: 'utf8',
            },
          ),
        )?.[1]
        ?.toLowerCase();
      const pem = readFileSync(join(dir, 'c.pem'), 'utf8');
      expect(x509Fingerprint(pem)).toBe(expected);
      expect(fingerprintOf('x509', `some text before\n${pem}`)).toBe(expected);
    });
  });

  it.each([
    ['empty', ''],
    ['an ssh key', NOVA_SAMPLE_KEY],
    [
      'a broken certificate',
      '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJ\n-----END CERTIFICATE-----',
    ],
  ])('reject %s', (_name, text) => {
    expect(invalidMessage(() => x509Fingerprint(text))).toBe(
      'Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file.',
    );
  });
});

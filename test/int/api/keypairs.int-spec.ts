import { createHash, X509Certificate } from 'node:crypto';
import { generateSshKeypair, generateX509Keypair } from '@nova/keypairs';
import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';

/** Nova's samples 09/10: this key has this fingerprint. */
const SAMPLE_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0aWUR6sh7FibmEyGxdF7vWo+7mTH8Tq1mEMJVicnqzBPjIvtFXUQnX/4dCOkeiUza3DQzFhHilEdcAoGdwgIZXrTWjpXz7qd4hqC6wdvSoZB/fBtoYXoK3fzWttHHDCQ4chxT+xYSdRuJcQxGpCeaC+HOiIvQbsWSoplKNY4P1unNkj+mygGZFPtlMu/DLi9fkSY/OnLbA9A+/XQtpIBQ858FZ+NQstN8rSM57csY2Lw6MbuemYSOyQdij6uJFhbbWTHzXxcuf3Qx9knZpgEorCH3FUGWmX5u0nDAD104YoD/DjynGSRDUEyH6RWv8JknQ74hJl+NCQ5KTQxPaSoJ Generated-by-Nova';
const SAMPLE_FP = '8a:b2:99:18:95:98:4f:a9:8f:ee:b3:9e:53:8f:03:dd';
const PY_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
const KEYS = '/v2.1/os-keypairs';

/** /os-keypairs over HTTP at every microversion boundary (2.1, 2.2, 2.10, 2.35, 2.75, 2.92). */
describe('keypairs API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const create = (
    keypair: Record<string, unknown>,
    version?: string,
    as: 'member' | 'admin' | 'other' = 'member',
  ) => api.post(KEYS, { keypair }, { as, ...(version ? { version } : {}) });
  const names = (body: { keypairs: Array<{ keypair: { name: string } }> }) =>
    body.keypairs.map((k) => k.keypair.name);

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    api = await ApiClient.start(d.sections);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  describe('create', () => {
    it('generates an RSA keypair at 2.1: 200, the private key once, Nova fields in order', async () => {
      const res = await create({ name: 'gen-21' });
      expect(res.status).toBe(200);
      const kp = res.body.keypair as Record<string, string>;
      expect(Object.keys(kp)).toEqual([
        'private_key',
        'name',
        'public_key',
        'fingerprint',
        'user_id',
      ]);
      expect(kp['private_key']).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
      expect(kp['public_key']).toMatch(/^ssh-rsa AAAA\S+ Generated-by-Nova$/);
      const blob = Buffer.from((kp['public_key'] ?? '').split(' ')[1] ?? '', 'base64');
      const md5 = createHash('md5').update(blob).digest('hex');
      expect(kp['fingerprint']).toBe((md5.match(/../g) ?? []).join(':'));
      expect(kp).toMatchObject({ name: 'gen-21', user_id: 'demo' });
      const shown = await api.get(`${KEYS}/gen-21`, { as: 'member' });
      expect(shown.body.keypair).not.toHaveProperty('private_key');
      expect(shown.body.keypair.public_key).toBe(kp['public_key']);
    });

    it("imports a public key at 2.1 with Nova's fingerprint (sample 09/10)", async () => {
      const res = await create({ name: 'imp-21', public_key: SAMPLE_KEY });
      expect(res).toMatchObject({ status: 200 });
      expect(res.body).toEqual({
        keypair: {
          name: 'imp-21',
          public_key: SAMPLE_KEY,
          fingerprint: SAMPLE_FP,
          user_id: 'demo',
        },
      });
    });

    it('takes `type` from 2.2 and answers 201 with it (sample 10)', async () => {
      expect(
        (await create({ name: 't-21', type: 'ssh', public_key: SAMPLE_KEY }, '2.1')).body,
      ).toEqual({
        badRequest: {
          code: 400,
          message:
            "Invalid input for field/attribute keypair. Value: {'name': 't-21', 'type': 'ssh', 'public_key': '" +
            SAMPLE_KEY +
            "'}. Additional properties are not allowed ('type' was unexpected)",
        },
      });
      const res = await create({ name: 'imp-22', type: 'ssh', public_key: SAMPLE_KEY }, '2.2');
      expect(res.status).toBe(201);
      expect(Object.keys(res.body.keypair)).toEqual([
        'type',
        'name',
        'public_key',
        'fingerprint',
        'user_id',
      ]);
      expect(res.body.keypair).toMatchObject({ type: 'ssh', fingerprint: SAMPLE_FP });
      expect((await create({ name: 'gen-22' }, '2.2')).body.keypair).toMatchObject({
        type: 'ssh',
        private_key: expect.stringMatching(/RSA PRIVATE KEY/),
      });
      expect((await create({ name: 'bad-type', type: 'pgp' }, '2.2')).body.badRequest.message).toBe(
        "Invalid input for field/attribute type. Value: pgp. 'pgp' is not one of ['ssh', 'x509']",
      );
    });

    it('generates an x509 keypair: a PEM certificate for the user and a base64 PKCS#12 private key', async () => {
      const res = await create({ name: 'x509-gen', type: 'x509' }, '2.2');
      expect(res.status).toBe(201);
      const kp = res.body.keypair as Record<string, string>;
      const cert = new X509Certificate(kp['public_key'] ?? '');
      expect(cert.subject).toBe('CN=demo');
      expect(kp['fingerprint']).toBe(cert.fingerprint.toLowerCase());
      expect(Buffer.from(kp['private_key'] ?? '', 'base64')[0]).toBe(0x30); // a DER PFX
      expect(kp['type']).toBe('x509');
    });

    it('imports an x509 certificate with its SHA-1 fingerprint; rejects what is not one', async () => {
      const { publicKey } = await generateX509Keypair('someone');
      const res = await create({ name: 'x509-imp', type: 'x509', public_key: publicKey }, '2.2');
      expect(res.status).toBe(201);
      expect(res.body.keypair.fingerprint).toBe(
        new X509Certificate(publicKey).fingerprint.toLowerCase(),
      );
      expect(
        await create({ name: 'x509-bad', type: 'x509', public_key: SAMPLE_KEY }, '2.2'),
      ).toMatchObject({
        status: 400,
        body: {
          badRequest: {
            message:
              'Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file.',
          },
        },
      });
    });

    it('rejects public keys that are not ssh keys (400, Nova message)', async () => {
      for (const key of ['', 'garbage', 'ssh-rsa AAAA', publicKeyOfX509()]) {
        expect(await create({ name: 'broken', public_key: key })).toEqual(
          expect.objectContaining({
            status: 400,
            body: {
              badRequest: {
                code: 400,
                message: 'Keypair data is invalid: failed to generate fingerprint',
              },
            },
          }),
        );
      }
    });

    it('is 409 for a duplicate name of the same user, fine for another user', async () => {
      expect(await create({ name: 'imp-21', public_key: SAMPLE_KEY })).toMatchObject({
        status: 409,
        body: { conflictingRequest: { code: 409, message: "Key pair 'imp-21' already exists." } },
      });
      expect(
        (await create({ name: 'imp-21', public_key: SAMPLE_KEY }, undefined, 'other')).status,
      ).toBe(200);
    });

    it("validates names with Nova's formats; '@' and '.' only from 2.92", async () => {
      const msg = async (name: unknown, version: string) =>
        (
          (await create({ name, public_key: SAMPLE_KEY }, version)).body as {
            badRequest?: { message: string };
          }
        ).badRequest?.message;
      expect(await msg('a/b', '2.1')).toBe(
        "An invalid 'name' value was provided. The name must be: Only expected characters: [_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]",
      );
      expect(await msg(' lead', '2.1')).toBe(
        "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
      );
      expect(await msg('', '2.1')).toBe(
        "Invalid input for field/attribute name. Value: . '' is too short",
      );
      expect(await msg('x'.repeat(256), '2.1')).toMatch(/is too long$/);
      expect(await msg(5, '2.1')).toBe(
        "Invalid input for field/attribute name. Value: 5. 5 is not of type 'string'",
      );
      expect(await msg('me@host.kp', '2.91')).toMatch(/Only expected characters/);
      expect(await msg('a/b', '2.92')).toBe(
        "An invalid 'name' value was provided. The name must be: Only expected characters: [@._- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]",
      );
      const ok = await create({ name: 'me@host.kp', public_key: SAMPLE_KEY }, '2.92');
      expect(ok.status).toBe(201);
      expect((await api.get(`${KEYS}/me@host.kp`, { as: 'member' })).status).toBe(200);
      expect((await create({ name: 'with space', public_key: SAMPLE_KEY })).status).toBe(200);
      expect((await api.get(`${KEYS}/with%20space`, { as: 'member' })).body.keypair.name).toBe(
        'with space',
      );
    });

    it('lets admins create for another user from 2.10 (user_id), not before; members only for themselves', async () => {
      expect(
        (
          await create(
            { name: 'for-demo', public_key: SAMPLE_KEY, user_id: 'demo' },
            '2.9',
            'admin',
          )
        ).status,
      ).toBe(400);
      const res = await create(
        { name: 'for-demo', public_key: SAMPLE_KEY, user_id: 'demo' },
        '2.10',
        'admin',
      );
      expect(res.status).toBe(201);
      expect(res.body.keypair.user_id).toBe('demo');
      expect((await api.get(`${KEYS}/for-demo`, { as: 'member' })).status).toBe(200);
      expect(
        await create({ name: 'for-other', public_key: SAMPLE_KEY, user_id: 'other' }, '2.10'),
      ).toMatchObject({
        status: 403,
        body: {
          forbidden: {
            message: "Policy doesn't allow os_compute_api:os-keypairs:create to be performed.",
          },
        },
      });
      expect(
        (await create({ name: 'for-me', public_key: SAMPLE_KEY, user_id: 'demo' }, '2.10')).status,
      ).toBe(201);
    });

    it('stops generating at 2.92: public_key is required (sample 11)', async () => {
      const gen = await create({ name: 'gen-291' }, '2.91');
      expect(gen.status).toBe(201);
      expect(gen.body.keypair).toHaveProperty('private_key');
      expect(await create({ name: 'sample-kp-gen2' }, '2.92')).toEqual(
        expect.objectContaining({
          status: 400,
          body: {
            badRequest: {
              code: 400,
              message:
                "Invalid input for field/attribute keypair. Value: {'name': 'sample-kp-gen2'}. 'public_key' is a required property",
            },
          },
        }),
      );
      expect(
        (await create({ name: 'imp-latest', type: 'ssh', public_key: SAMPLE_KEY }, '2.93')).status,
      ).toBe(201);
    });

    it('counts keypairs against the key_pairs quota (403)', async () => {
      const limited = await ApiClient.start({ ...d.sections, quota: { key_pairs: '2' } });
      try {
        const as = { token: 'quser:qproject' };
        for (const name of ['q1', 'q2']) {
          expect(
            (await limited.post(KEYS, { keypair: { name, public_key: SAMPLE_KEY } }, { as }))
              .status,
          ).toBe(200);
        }
        expect(
          await limited.post(KEYS, { keypair: { name: 'q3', public_key: SAMPLE_KEY } }, { as }),
        ).toMatchObject({
          status: 403,
          body: { forbidden: { code: 403, message: 'Quota exceeded, too many key pairs.' } },
        });
        expect((await limited.delete(`${KEYS}/q1`, { as })).status).toBe(202);
        expect(
          (await limited.post(KEYS, { keypair: { name: 'q3', public_key: SAMPLE_KEY } }, { as }))
            .status,
        ).toBe(200);
        // Concurrent creates cannot pass the limit together: exactly the limit succeed.
        const racer = { token: 'racer:qproject' };
        const results = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((i) =>
            limited.post(
              KEYS,
              { keypair: { name: `r${i}`, public_key: SAMPLE_KEY } },
              { as: racer },
            ),
          ),
        );
        expect(results.filter((r) => r.status === 200).length).toBe(2);
        expect(results.every((r) => r.status === 200 || r.status === 403)).toBe(true);
        const listed = await limited.get(KEYS, { as: racer });
        expect(listed.body.keypairs.length).toBe(2);
      } finally {
        await limited.close();
      }
    });
  });

  describe('list', () => {
    const listAs = { token: 'lister:demo' };
    beforeAll(async () => {
      for (const name of ['l-c', 'l-a', 'l-e', 'l-b', 'l-d']) {
        await api.post(KEYS, { keypair: { name, public_key: SAMPLE_KEY } }, { as: listAs });
      }
    });

    it('lists the caller\'s keypairs by name, each wrapped as {"keypair": ...} (sample 12)', async () => {
      const res = await api.get(KEYS, { as: listAs });
      expect(res.status).toBe(200);
      expect(names(res.body)).toEqual(['l-a', 'l-b', 'l-c', 'l-d', 'l-e']);
      expect(res.body.keypairs[0]).toEqual({
        keypair: { name: 'l-a', public_key: SAMPLE_KEY, fingerprint: SAMPLE_FP },
      });
      expect(res.body).not.toHaveProperty('keypairs_links');
    });

    it('adds `type` from 2.2 (sample 13)', async () => {
      const res = await api.get(KEYS, { as: listAs, version: '2.2' });
      expect(Object.keys(res.body.keypairs[0].keypair)).toEqual([
        'name',
        'public_key',
        'fingerprint',
        'type',
      ]);
      expect(res.body.keypairs[0].keypair.type).toBe('ssh');
    });

    it('lists another user for admins from 2.10; user_id is ignored before', async () => {
      const admin = await api.get(`${KEYS}?user_id=lister`, { version: '2.10' });
      expect(names(admin.body)).toEqual(['l-a', 'l-b', 'l-c', 'l-d', 'l-e']);
      const before = await api.get(`${KEYS}?user_id=lister`, { version: '2.9' });
      expect(names(before.body)).not.toContain('l-a');
      expect(
        (await api.get(`${KEYS}?user_id=lister`, { as: 'member', version: '2.10' })).status,
      ).toBe(403);
      expect(
        (await api.get(`${KEYS}?user_id=demo`, { as: 'member', version: '2.10' })).status,
      ).toBe(200);
      expect(
        (await api.get(`${KEYS}?user_id=lister`, { as: 'member', version: '2.9' })).status,
      ).toBe(200);
    });

    it('pages with limit and marker (keypair names) and keypairs_links from 2.35', async () => {
      const first = await api.get(`${KEYS}?limit=2`, { as: listAs, version: '2.35' });
      expect(names(first.body)).toEqual(['l-a', 'l-b']);
      expect(first.body.keypairs_links).toEqual([
        { rel: 'next', href: 'http://localhost:80/v2.1/os-keypairs?limit=2&marker=l-b' },
      ]);
      const second = await api.get(`${KEYS}?limit=2&marker=l-b`, { as: listAs, version: '2.35' });
      expect(names(second.body)).toEqual(['l-c', 'l-d']);
      const last = await api.get(`${KEYS}?limit=2&marker=l-d`, { as: listAs, version: '2.35' });
      expect(names(last.body)).toEqual(['l-e']);
      expect(last.body).not.toHaveProperty('keypairs_links');
      const admin = await api.get(`${KEYS}?user_id=lister&limit=1`, { version: '2.35' });
      expect(admin.body.keypairs_links[0].href).toBe(
        'http://localhost:80/v2.1/os-keypairs?limit=1&marker=l-a&user_id=lister',
      );
      const projectUrl = await api.get('/v2.1/demo/os-keypairs?limit=1', {
        as: listAs,
        version: '2.35',
      });
      expect(projectUrl.body.keypairs_links[0].href).toBe(
        'http://localhost:80/v2.1/demo/os-keypairs?limit=1&marker=l-a',
      );
      expect(
        names((await api.get(`${KEYS}?limit=0`, { as: listAs, version: '2.35' })).body),
      ).toEqual([]);
    });

    it('ignores limit and marker before 2.35', async () => {
      const res = await api.get(`${KEYS}?limit=1&marker=zzz`, { as: listAs, version: '2.34' });
      expect(names(res.body)).toHaveLength(5);
      expect(res.body).not.toHaveProperty('keypairs_links');
      expect((await api.get(`${KEYS}?limit=abc`, { as: listAs, version: '2.34' })).status).toBe(
        200,
      );
    });

    it('rejects a bad limit and an unknown marker from 2.35', async () => {
      expect((await api.get(`${KEYS}?marker=nope`, { as: listAs, version: '2.35' })).body).toEqual({
        badRequest: { code: 400, message: 'Marker nope could not be found.' },
      });
      expect((await api.get(`${KEYS}?limit=abc`, { as: listAs, version: '2.35' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "Invalid input for query parameters limit. Value: abc. 'abc' does not match '^[0-9]*$'",
        },
      });
      expect((await api.get(`${KEYS}?limit=-1`, { as: listAs, version: '2.35' })).status).toBe(400);
    });

    it('ignores unknown query parameters before 2.75, rejects them from it', async () => {
      expect((await api.get(`${KEYS}?colour=red`, { as: listAs, version: '2.74' })).status).toBe(
        200,
      );
      expect((await api.get(`${KEYS}?colour=red`, { as: listAs, version: '2.75' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "Invalid input for query parameters colour. Value: red. Additional properties are not allowed ('colour' was unexpected)",
        },
      });
      expect(
        (await api.get(`${KEYS}?limit=1&marker=l-a&user_id=lister`, { version: '2.75' })).status,
      ).toBe(200);
    });
  });

  describe('show', () => {
    const as = { token: 'shower:demo' };
    beforeAll(async () => {
      await api.post(KEYS, { keypair: { name: 's-kp', public_key: SAMPLE_KEY } }, { as });
    });

    it("shows the record as Nova's show does (id, timestamps, deleted); `type` last from 2.2", async () => {
      const v21 = await api.get(`${KEYS}/s-kp`, { as });
      expect(v21.status).toBe(200);
      expect(Object.keys(v21.body.keypair)).toEqual([
        'name',
        'public_key',
        'fingerprint',
        'user_id',
        'created_at',
        'deleted',
        'deleted_at',
        'id',
        'updated_at',
      ]);
      expect(v21.body.keypair).toMatchObject({
        name: 's-kp',
        public_key: SAMPLE_KEY,
        fingerprint: SAMPLE_FP,
        user_id: 'shower',
        created_at: expect.stringMatching(PY_DATETIME),
        deleted: false,
        deleted_at: null,
        id: expect.any(Number),
        updated_at: null,
      });
      const v22 = await api.get(`${KEYS}/s-kp`, { as, version: '2.2' });
      expect(Object.keys(v22.body.keypair).pop()).toBe('type');
      expect(v22.body.keypair.type).toBe('ssh');
    });

    it("is 404 for an unknown name and for another user's keypair", async () => {
      expect((await api.get(`${KEYS}/nope`, { as })).body).toEqual({
        itemNotFound: { code: 404, message: 'Keypair nope not found for user shower' },
      });
      expect((await api.get(`${KEYS}/s-kp`, { as: 'member' })).body).toEqual({
        itemNotFound: { code: 404, message: 'Keypair s-kp not found for user demo' },
      });
    });

    it("shows another user's keypair to admins from 2.10 only", async () => {
      expect(
        (await api.get(`${KEYS}/s-kp?user_id=shower`, { version: '2.10' })).body.keypair.user_id,
      ).toBe('shower');
      expect((await api.get(`${KEYS}/s-kp?user_id=shower`, { version: '2.9' })).status).toBe(404);
      expect(
        (await api.get(`${KEYS}/s-kp?user_id=shower`, { as: 'member', version: '2.10' })).status,
      ).toBe(403);
    });

    it('rejects unknown query parameters from 2.75', async () => {
      expect((await api.get(`${KEYS}/s-kp?limit=1`, { as, version: '2.74' })).status).toBe(200);
      expect((await api.get(`${KEYS}/s-kp?limit=1`, { as, version: '2.75' })).status).toBe(400);
      expect((await api.get(`${KEYS}/s-kp?user_id=shower`, { as, version: '2.75' })).status).toBe(
        200,
      );
    });
  });

  describe('delete', () => {
    const as = { token: 'deleter:demo' };
    beforeAll(async () => {
      for (const name of ['d-21', 'd-22', 'd-admin', 'd-275']) {
        await api.post(KEYS, { keypair: { name, public_key: SAMPLE_KEY } }, { as });
      }
    });

    it('is 202 with no body at 2.1 and 204 from 2.2; the keypair is gone', async () => {
      const v21 = await api.delete(`${KEYS}/d-21`, { as });
      expect({ status: v21.status, text: v21.text }).toEqual({ status: 202, text: '' });
      expect((await api.get(`${KEYS}/d-21`, { as })).status).toBe(404);
      const v22 = await api.delete(`${KEYS}/d-22`, { as, version: '2.2' });
      expect({ status: v22.status, text: v22.text }).toEqual({ status: 204, text: '' });
    });

    it("is 404 for an unknown keypair and for another user's", async () => {
      expect((await api.delete(`${KEYS}/d-21`, { as })).body).toEqual({
        itemNotFound: { code: 404, message: 'Keypair d-21 not found for user deleter' },
      });
      expect((await api.delete(`${KEYS}/d-admin`, { as: 'member' })).status).toBe(404);
    });

    it("deletes another user's keypair for admins from 2.10", async () => {
      expect(
        (await api.delete(`${KEYS}/d-admin?user_id=deleter`, { as: 'member', version: '2.10' }))
          .status,
      ).toBe(403);
      expect((await api.delete(`${KEYS}/d-admin?user_id=deleter`, { version: '2.9' })).status).toBe(
        404,
      );
      expect(
        (await api.delete(`${KEYS}/d-admin?user_id=deleter`, { version: '2.10' })).status,
      ).toBe(204);
      expect((await api.get(`${KEYS}/d-admin`, { as })).status).toBe(404);
    });

    it('rejects unknown query parameters from 2.75', async () => {
      expect((await api.delete(`${KEYS}/d-275?marker=x`, { as, version: '2.75' })).status).toBe(
        400,
      );
      expect((await api.get(`${KEYS}/d-275`, { as })).status).toBe(200);
      expect((await api.delete(`${KEYS}/d-275?marker=x`, { as, version: '2.74' })).status).toBe(
        204,
      );
    });
  });

  it('has no PUT (405 with Allow)', async () => {
    const res = await api.put(`${KEYS}/gen-21`, { keypair: { name: 'x' } }, { as: 'member' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toContain('DELETE');
  });

  it('generated keys can be imported again elsewhere (same fingerprint)', async () => {
    const { publicKey, fingerprint } = await generateSshKeypair();
    const res = await create({ name: 'reimport', public_key: publicKey }, '2.92', 'other');
    expect(res.body.keypair.fingerprint).toBe(fingerprint);
  });
});

/** The certificate text of an x509 keypair is not an ssh key. */
function publicKeyOfX509(): string {
  return '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
}

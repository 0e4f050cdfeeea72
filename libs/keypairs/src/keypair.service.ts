import { Inject, Injectable } from '@nestjs/common';
import type { KeyPair } from '@nova/api-db';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { OverQuota, QuotaService } from '@nova/quota';
import { fingerprintOf, type KeypairType } from './fingerprints';
import { generateSshKeypair, generateX509Keypair } from './key-generation';
import { InvalidKeypair, KeypairNotFound } from './keypair-errors';
import { KeypairRepository, type KeypairPage } from './keypair.repository';

const TOO_MANY_KEYPAIRS = 'Quota exceeded, too many key pairs.';
const MAX_PUBLIC_KEY_BYTES = 65535;

export interface NewKeypair {
  /** The owner (the caller, or another user when an admin says so). */
  readonly userId: string;
  readonly name: string;
  readonly type: KeypairType;
  /** Import this public key (ssh line or PEM certificate); absent: generate a keypair. */
  readonly publicKey?: string;
}

export interface CreatedKeypair {
  readonly keypair: KeyPair;
  /** Only for generated keypairs: the private key, which is not kept. */
  readonly privateKey?: string;
}

/**
 * Keypairs as Nova keeps them: per user, in the API database. Who may act on
 * whose keypairs is the API's policy check; here are the rules of the data:
 * quota, key validation and fingerprints, unique names.
 */
@Injectable()
export class KeypairService {
  constructor(
    private readonly repo: KeypairRepository,
    private readonly quota: QuotaService,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  list(userId: string, page?: KeypairPage): Promise<KeyPair[]> {
    return this.repo.list(userId, page);
  }

  async get(userId: string, name: string): Promise<KeyPair> {
    const keypair = await this.repo.find(userId, name);
    if (!keypair) {
      throw new KeypairNotFound(name, userId);
    }
    return keypair;
  }

  /**
   * Quota first (Nova's order: over quota is 403 whatever the key), then the
   * key (imported and checked, or generated), then an insert that counts again
   * in the same statement (`[quota] recheck_quota`), so concurrent creates
   * cannot pass the limit together and nothing is written over it.
   */
  async create(ctx: RequestContext, input: NewKeypair): Promise<CreatedKeypair> {
    const projectId = ctx.projectId ?? '';
    const limit = await this.quota.checkKeyPairs(projectId, input.userId);
    let publicKey: string;
    let fingerprint: string;
    let privateKey: string | undefined;
    if (input.publicKey !== undefined) {
      publicKey = input.publicKey;
      // What the key_pairs.public_key TEXT column holds (Nova would fail with a database error).
      if (Buffer.byteLength(publicKey) > MAX_PUBLIC_KEY_BYTES) {
        throw new InvalidKeypair('public key is too long');
      }
      fingerprint = fingerprintOf(input.type, publicKey);
    } else {
      const generated =
        input.type === 'x509'
          ? await generateX509Keypair(input.userId)
          : await generateSshKeypair();
      ({ publicKey, fingerprint, privateKey } = generated);
    }
    const keypair = await this.repo.create(
      {
        name: input.name,
        user_id: input.userId,
        type: input.type,
        public_key: publicKey,
        fingerprint,
      },
      this.config.quota.recheck_quota ? limit : -1,
    );
    if (!keypair) {
      throw new OverQuota(TOO_MANY_KEYPAIRS);
    }
    return privateKey === undefined ? { keypair } : { keypair, privateKey };
  }

  async delete(userId: string, name: string): Promise<void> {
    if (!(await this.repo.delete(userId, name))) {
      throw new KeypairNotFound(name, userId);
    }
  }
}

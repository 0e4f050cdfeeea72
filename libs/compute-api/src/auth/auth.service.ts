import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import { Invalid } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { KeystoneClient, type ValidatedToken } from './keystone-client';
import { noauthIdentity } from './noauth';
import { Unauthorized, withImpliedRoles, type Identity } from './unauthorized';

type Headers = Record<string, string | string[] | undefined>;

/** `[api] auth_strategy`: keystone (validated tokens cached with a TTL) or noauth2. */
@Injectable()
export class AuthService {
  private readonly keystone?: KeystoneClient;
  private readonly challenge: string;

  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    @Inject(CACHE_BACKEND) private readonly cache: CacheBackend,
  ) {
    const ks = config.keystone_authtoken;
    this.challenge = `Keystone uri="${ks.www_authenticate_uri ?? ks.auth_url ?? ''}"`;
    if (config.api.auth_strategy === 'keystone') {
      if (!ks.auth_url || !ks.username || !ks.password) {
        throw new Invalid(
          '[api] auth_strategy = keystone needs [keystone_authtoken] auth_url, username and password',
        );
      }
      this.keystone = new KeystoneClient(ks);
    }
  }

  async authenticate(headers: Headers): Promise<Identity> {
    if (!this.keystone) {
      return noauthIdentity(headers);
    }
    const raw = headers['x-auth-token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (!token) {
      throw new Unauthorized(this.challenge);
    }
    const validated = (await this.cached(token)) ?? (await this.validate(token));
    if (!validated || validated.expiresAt <= Date.now()) {
      throw new Unauthorized(this.challenge);
    }
    return {
      userId: validated.userId,
      projectId: validated.projectId,
      roles: withImpliedRoles(validated.roles),
    };
  }

  private async validate(token: string): Promise<ValidatedToken | null> {
    const validated = await (this.keystone as KeystoneClient).validate(token);
    if (validated) {
      const ttl = Math.min(
        this.config.keystone_authtoken.token_cache_time,
        (validated.expiresAt - Date.now()) / 1000,
      );
      if (ttl >= 1) {
        await this.cache
          .set(cacheKey(token), JSON.stringify(validated), ttl)
          .catch(() => undefined);
      }
    }
    return validated;
  }

  private async cached(token: string): Promise<ValidatedToken | null> {
    const text = await this.cache.get(cacheKey(token)).catch(() => null);
    return text ? (JSON.parse(text) as ValidatedToken) : null;
  }
}

/** Fail before anything is opened when Keystone mode lacks what it needs. */
export function checkAuthConfig(config: NovaConfig): void {
  const ks = config.keystone_authtoken;
  if (config.api.auth_strategy === 'keystone' && (!ks.auth_url || !ks.username || !ks.password)) {
    throw new Invalid(
      '[api] auth_strategy = keystone needs [keystone_authtoken] auth_url, username and password',
    );
  }
}

/** Tokens are secrets: the cache key is their hash. */
function cacheKey(token: string): string {
  return `ks-token:${createHash('sha256').update(token).digest('hex')}`;
}

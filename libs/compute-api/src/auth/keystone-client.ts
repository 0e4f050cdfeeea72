import type { KeystoneOptions } from '@nova/config';
import { describeError, ServiceUnavailable } from '@nova/common';
import { getLogger } from '@nova/logging';
import type { Identity } from './unauthorized';

const log = getLogger('auth.keystone');

export interface ValidatedToken extends Identity {
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

interface TokenBody {
  token?: {
    expires_at?: string;
    user?: { id?: string };
    project?: { id?: string };
    roles?: Array<{ name?: string }>;
  };
}

/**
 * Keystone v3 token validation as keystonemiddleware does it: nova-api holds its
 * own service token (password auth, renewed before expiry or on 401) and asks
 * `GET /v3/auth/tokens` about each user token.
 */
export class KeystoneClient {
  private serviceToken?: { value: string; expiresAt: number };
  private readonly base: string;

  constructor(private readonly options: KeystoneOptions) {
    const url = (options.auth_url ?? '').replace(/\/+$/, '');
    this.base = url.endsWith('/v3') ? url : `${url}/v3`;
  }

  /** The token's identity, or null when Keystone says the token is not valid. */
  async validate(userToken: string): Promise<ValidatedToken | null> {
    let response = await this.get(userToken, await this.token());
    if (response.status === 401) {
      this.serviceToken = undefined; // ours expired or was revoked: get a new one once
      response = await this.get(userToken, await this.token());
    }
    if (response.status === 404 || response.status === 401) {
      return null;
    }
    if (response.status !== 200) {
      throw new ServiceUnavailable(
        `Identity service answered ${response.status} while validating a token`,
      );
    }
    const body = (await response.json()) as TokenBody;
    const token = body.token ?? {};
    if (!token.user?.id) {
      return null;
    }
    return {
      userId: token.user.id,
      projectId: token.project?.id ?? null,
      roles: (token.roles ?? []).map((r) => r.name ?? '').filter(Boolean),
      expiresAt: token.expires_at ? Date.parse(token.expires_at) : Date.now() + 3600_000,
    };
  }

  private get(userToken: string, serviceToken: string): Promise<Response> {
    return this.fetch(`${this.base}/auth/tokens`, {
      method: 'GET',
      headers: {
        'X-Auth-Token': serviceToken,
        'X-Subject-Token': userToken,
        Accept: 'application/json',
      },
    });
  }

  private async token(): Promise<string> {
    if (this.serviceToken && this.serviceToken.expiresAt - Date.now() > 60_000) {
      return this.serviceToken.value;
    }
    const o = this.options;
    const response = await this.fetch(`${this.base}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: {
                name: o.username,
                domain: { name: o.user_domain_name },
                password: o.password,
              },
            },
          },
          scope: { project: { name: o.project_name, domain: { name: o.project_domain_name } } },
        },
      }),
    });
    const value = response.headers.get('x-subject-token');
    if (response.status !== 201 || !value) {
      log.error({ status: response.status }, 'nova-api could not authenticate to Keystone');
      throw new ServiceUnavailable('nova-api could not authenticate to the Identity service');
    }
    const body = (await response.json()) as TokenBody;
    this.serviceToken = {
      value,
      expiresAt: body.token?.expires_at ? Date.parse(body.token.expires_at) : Date.now() + 3600_000,
    };
    return value;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(this.options.http_connect_timeout * 1000),
      });
    } catch (err) {
      throw new ServiceUnavailable(`Identity service unreachable: ${describeError(err)}`);
    }
  }
}

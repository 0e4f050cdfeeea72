import { describeError, ServiceUnavailable, SingleFlight } from '@nova/common';
import { getLogger } from '@nova/logging';

const log = getLogger('network.keystone');

export interface PasswordAuth {
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomainName: string;
  readonly projectDomainName: string;
  /** Milliseconds per Keystone request. */
  readonly timeoutMs: number;
}

export interface CatalogEndpoint {
  readonly interface: string;
  readonly region_id?: string | null;
  readonly region?: string | null;
  readonly url: string;
}

export interface CatalogService {
  readonly type: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

export interface ServiceToken {
  readonly value: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly catalog: readonly CatalogService[];
}

/** Tokens are renewed this long before Keystone's expiry. */
const RENEW_BEFORE_MS = 60_000;

/**
 * A service user's Keystone v3 session (keystoneauth's password plugin): one
 * project-scoped token, shared by concurrent callers, cached until shortly
 * before it expires or until `invalidate()` (a 401 from the service).
 */
export class KeystoneSession {
  private current?: ServiceToken;
  private readonly flight = new SingleFlight<'token', ServiceToken>();
  private readonly base: string;

  constructor(
    private readonly auth: PasswordAuth,
    private readonly now: () => number = Date.now,
  ) {
    const url = auth.authUrl.replace(/\/+$/, '');
    this.base = url.endsWith('/v3') ? url : `${url}/v3`;
  }

  async token(): Promise<ServiceToken> {
    const t = this.current;
    if (t && t.expiresAt - this.now() > RENEW_BEFORE_MS) {
      return t;
    }
    return this.flight.run('token', () => this.authenticate());
  }

  /** Forget the token (the service said 401): the next call authenticates again. */
  invalidate(token: string): void {
    if (this.current?.value === token) {
      this.current = undefined;
    }
  }

  private async authenticate(): Promise<ServiceToken> {
    const a = this.auth;
    let response: Response;
    try {
      response = await fetch(`${this.base}/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: {
                user: {
                  name: a.username,
                  domain: { name: a.userDomainName },
                  password: a.password,
                },
              },
            },
            scope: { project: { name: a.projectName, domain: { name: a.projectDomainName } } },
          },
        }),
        signal: AbortSignal.timeout(a.timeoutMs),
      });
    } catch (err) {
      throw new ServiceUnavailable(`Identity service unreachable: ${describeError(err)}`);
    }
    const value = response.headers.get('x-subject-token');
    if (response.status !== 201 || !value) {
      await response.body?.cancel();
      log.error(
        { status: response.status, user: a.username },
        'Neutron service user could not authenticate',
      );
      throw new ServiceUnavailable(
        `The Neutron service user could not authenticate to the Identity service (HTTP ${response.status})`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      token?: { expires_at?: string; catalog?: CatalogService[] };
    };
    const expires = body.token?.expires_at ? Date.parse(body.token.expires_at) : NaN;
    this.current = {
      value,
      expiresAt: Number.isFinite(expires) ? expires : this.now() + 3600_000,
      catalog: body.token?.catalog ?? [],
    };
    return this.current;
  }
}

/**
 * The URL of a service in a token's catalog: the first of `interfaces` (in
 * order) with an endpoint in `region` (any region when unset).
 */
export function endpointFromCatalog(
  catalog: readonly CatalogService[],
  type: string,
  interfaces: readonly string[],
  region: string | undefined,
): string | null {
  const endpoints = catalog
    .filter((s) => s.type === type)
    .flatMap((s) => s.endpoints)
    .filter((e) => region === undefined || (e.region_id ?? e.region) === region);
  for (const wanted of interfaces) {
    const found = endpoints.find((e) => e.interface === wanted);
    if (found) {
      return found.url.replace(/\/+$/, '');
    }
  }
  return null;
}

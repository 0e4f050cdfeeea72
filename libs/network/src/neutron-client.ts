import { describeError, type RequestContext } from '@nova/common';
import { getLogger } from '@nova/logging';
import { endpointFromCatalog, type KeystoneSession } from './keystone-session';
import { NeutronUnavailable, neutronErrorOf } from './neutron-errors';

const log = getLogger('network.neutron');

export interface NeutronClientOptions {
  readonly session: KeystoneSession;
  /** Neutron's URL instead of the catalog's (`[neutron] endpoint_override`). */
  readonly endpointOverride?: string;
  readonly interfaces: readonly string[];
  readonly region?: string;
  /** Milliseconds per request. */
  readonly timeoutMs: number;
  /**
   * Whether callers' tokens are Keystone tokens Neutron accepts (`[api]
   * auth_strategy = keystone`). Otherwise (noauth2) every call is made with
   * the service user's token and the API code scopes it to the caller's project.
   */
  readonly userTokens: boolean;
}

/** Who a call acts as: the requesting user (their token) or Nova's service user. */
export type Acting = 'user' | 'service';

/**
 * JSON over HTTP to Neutron's v2.0 API. Calls act with the requesting user's
 * token, as Nova's do (Neutron applies the user's rights), or with the service
 * user's token (cached, renewed once on 401). The endpoint comes from the
 * service token's catalog or `endpoint_override`. 4xx answers are thrown as
 * NeutronHttpError, everything else unexpected as NeutronUnavailable (503).
 */
export class NeutronClient {
  constructor(private readonly options: NeutronClientOptions) {}

  /** Whether calls for `ctx` act as the user (their token is a real Keystone token). */
  actsAsUser(ctx: RequestContext): boolean {
    return this.options.userTokens && !!ctx.authToken;
  }

  async get<T>(ctx: RequestContext, path: string, as: Acting = 'user'): Promise<T> {
    return (await this.request(ctx, 'GET', path, undefined, as)) as T;
  }

  async post<T>(ctx: RequestContext, path: string, body: unknown, as: Acting = 'user'): Promise<T> {
    return (await this.request(ctx, 'POST', path, body, as)) as T;
  }

  async put<T>(ctx: RequestContext, path: string, body: unknown, as: Acting = 'user'): Promise<T> {
    return (await this.request(ctx, 'PUT', path, body, as)) as T;
  }

  async delete(ctx: RequestContext, path: string, as: Acting = 'user'): Promise<void> {
    await this.request(ctx, 'DELETE', path, undefined, as);
  }

  private async request(
    ctx: RequestContext,
    method: string,
    path: string,
    body: unknown,
    as: Acting,
  ): Promise<unknown> {
    const asUser = as === 'user' && this.actsAsUser(ctx);
    for (let attempt = 0; ; attempt++) {
      const service = await this.options.session.token();
      const token = asUser ? (ctx.authToken as string) : service.value;
      const base = this.endpoint(service.catalog);
      let response: Response;
      try {
        response = await fetch(`${base}/v2.0${path}`, {
          method,
          headers: {
            Accept: 'application/json',
            'X-Auth-Token': token,
            'X-OpenStack-Request-ID': ctx.globalRequestId ?? ctx.requestId,
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (err) {
        log.warn(
          { requestId: ctx.requestId, reason: describeError(err) },
          `Neutron ${method} ${path.split('?')[0]} failed`,
        );
        throw new NeutronUnavailable(connectionError(err));
      }
      if (response.status === 401 && !asUser && attempt === 0) {
        await response.body?.cancel();
        this.options.session.invalidate(service.value); // ours expired or was revoked
        continue;
      }
      const text = await response.text();
      if (response.status >= 500) {
        log.error(
          { requestId: ctx.requestId, status: response.status, body: text.slice(0, 500) },
          `Neutron ${method} ${path.split('?')[0]} failed`,
        );
        throw new NeutronUnavailable(`HTTP ${response.status}`);
      }
      if (response.status >= 400) {
        throw neutronErrorOf(response.status, text);
      }
      if (text === '') {
        return undefined;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new NeutronUnavailable('a body that is not JSON');
      }
    }
  }

  private endpoint(catalog: Parameters<typeof endpointFromCatalog>[0]): string {
    const override = this.options.endpointOverride;
    if (override) {
      return override.replace(/\/+$/, '').replace(/\/v2\.0$/, '');
    }
    const url = endpointFromCatalog(
      catalog,
      'network',
      this.options.interfaces,
      this.options.region,
    );
    if (!url) {
      throw new NeutronUnavailable(
        `no network endpoint (${this.options.interfaces.join(', ')}) in the catalog` +
          (this.options.region ? ` of region ${this.options.region}` : ''),
      );
    }
    return url.replace(/\/v2\.0$/, '');
  }
}

/** Query strings with repeated keys (Neutron's `?id=a&id=b`). */
export function queryString(
  params: Record<string, string | readonly string[] | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) {
      continue;
    }
    for (const v of typeof value === 'string' ? [value] : value) {
      q.append(key, v);
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function connectionError(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return `${describeError(err)} (${code})`;
  }
  return cause instanceof Error ? `${describeError(err)} (${cause.message})` : describeError(err);
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HostsModule } from '@nova/cells/hosts';
import { ServersModule } from '@nova/cells/servers';
import { createApiApp } from '@nova/compute-api';
import { testConfig, type Sections } from './config';

/** Callers with the personas Nova's policies know (noauth2 tokens; X-Roles sets the roles). */
export const PERSONAS = {
  admin: { token: 'admin:admin' },
  member: { token: 'demo:demo' },
  reader: { token: 'reader:demo', roles: 'reader' },
  manager: { token: 'boss:demo', roles: 'manager' },
  other: { token: 'other:other' },
} as const;

export type Persona = keyof typeof PERSONAS;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RequestOptions {
  as?: Persona | { token: string; roles?: string };
  version?: string;
  body?: unknown;
  /** Raw payload (no JSON encoding), for malformed-body tests. */
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * The compute API app in this process, driven through Fastify's inject (the whole
 * HTTP stack: hooks, routing, validation, faults) without a socket.
 */
export class ApiClient {
  private constructor(readonly app: NestFastifyApplication) {}

  static async start(sections: Sections): Promise<ApiClient> {
    return new ApiClient(
      await createApiApp(
        testConfig({ ...sections, api: { auth_strategy: 'noauth2', ...sections['api'] } }),
        {
          imports: [HostsModule, ServersModule],
        },
      ),
    );
  }

  async request<T = any>(
    method: string,
    url: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const persona = typeof options.as === 'object' ? options.as : PERSONAS[options.as ?? 'admin'];
    const headers: Record<string, string> = {
      ...(persona.token ? { 'x-auth-token': persona.token } : {}),
    };
    if ('roles' in persona && persona.roles) {
      headers['x-roles'] = persona.roles;
    }
    if (options.version) {
      headers['openstack-api-version'] = `compute ${options.version}`;
    }
    let payload: string | undefined;
    if (options.raw !== undefined) {
      payload = options.raw;
      headers['content-type'] = 'application/json';
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await this.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: method as 'GET',
        url,
        headers: { ...headers, ...options.headers },
        ...(payload !== undefined ? { payload } : {}),
      });
    let body: unknown = undefined;
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      body = res.body;
    }
    return {
      status: res.statusCode,
      body: body as T,
      headers: res.headers as Record<string, string>,
      text: res.body,
    };
  }

  get<T = any>(url: string, options: RequestOptions = {}) {
    return this.request<T>('GET', url, options);
  }
  post<T = any>(url: string, body: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', url, { ...options, body });
  }
  put<T = any>(url: string, body: unknown, options: RequestOptions = {}) {
    return this.request<T>('PUT', url, { ...options, body });
  }
  delete<T = any>(url: string, options: RequestOptions = {}) {
    return this.request<T>('DELETE', url, options);
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** The fault name of an error body (`{"itemNotFound": {...}}` -> 'itemNotFound'). */
export function faultName(body: unknown): string | undefined {
  return body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
}

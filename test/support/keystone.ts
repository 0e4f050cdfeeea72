import { randomBytes } from 'node:crypto';

/**
 * The real Keystone that scripts/openstack-services runs on 127.0.0.1:5000
 * (Debian's package), as tests use it: an admin token, and throw-away
 * projects, users and regions whose catalog points at the services under
 * test, all removed by cleanup().
 */
export const KEYSTONE_URL = 'http://127.0.0.1:5000';
export const GLANCE_URL = 'http://127.0.0.1:9292';
export const NEUTRON_URL = 'http://127.0.0.1:9696';
export const ADMIN_PASSWORD = process.env['OPENSTACK_ADMIN_PASSWORD'] ?? 'admin-secret';
export const SERVICE_PASSWORD = process.env['OPENSTACK_SERVICE_PASSWORD'] ?? 'service-secret';

export interface KeystoneUser {
  readonly name: string;
  readonly password: string;
  readonly userId: string;
  readonly project: string;
  readonly projectId: string;
}

async function call<T>(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: T; token: string | null }> {
  const res = await fetch(`${KEYSTONE_URL}/v3${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { 'x-auth-token': token } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 400) {
    throw new Error(`Keystone ${method} ${path}: HTTP ${res.status} ${text}`);
  }
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as T,
    token: res.headers.get('x-subject-token'),
  };
}

/** A project-scoped token for a user of the Default domain. */
export async function projectToken(user: string, password: string, project: string) {
  const res = await call('POST', '/auth/tokens', null, {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: user, domain: { name: 'Default' }, password } },
      },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    },
  });
  if (!res.token) {
    throw new Error(`no token for ${user}`);
  }
  return res.token;
}

export class KeystoneFixture {
  private readonly undo: Array<() => Promise<unknown>> = [];
  private constructor(
    private readonly admin: string,
    readonly prefix: string,
  ) {}

  static async start(): Promise<KeystoneFixture> {
    const token = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    return new KeystoneFixture(token, `t${randomBytes(4).toString('hex')}`);
  }

  private async roleId(name: string): Promise<string> {
    const res = await call<{ roles: Array<{ id: string }> }>(
      'GET',
      `/roles?name=${name}`,
      this.admin,
    );
    const id = res.body.roles[0]?.id;
    if (!id) {
      throw new Error(`no role ${name} in Keystone`);
    }
    return id;
  }

  /** A new project with a user holding `roles` in it. */
  async user(name: string, roles: readonly string[]): Promise<KeystoneUser> {
    const project = `${this.prefix}-${name}`;
    const password = randomBytes(9).toString('base64url');
    const p = await call<{ project: { id: string } }>('POST', '/projects', this.admin, {
      project: { name: project, domain_id: 'default' },
    });
    this.undo.push(() => call('DELETE', `/projects/${p.body.project.id}`, this.admin));
    const u = await call<{ user: { id: string } }>('POST', '/users', this.admin, {
      user: {
        name: project,
        password,
        domain_id: 'default',
        default_project_id: p.body.project.id,
      },
    });
    this.undo.push(() => call('DELETE', `/users/${u.body.user.id}`, this.admin));
    for (const role of roles) {
      await call(
        'PUT',
        `/projects/${p.body.project.id}/users/${u.body.user.id}/roles/${await this.roleId(role)}`,
        this.admin,
      );
    }
    return {
      name: project,
      password,
      userId: u.body.user.id,
      project,
      projectId: p.body.project.id,
    };
  }

  /**
   * A region whose catalog has `computeUrl` as compute and the real Glance and
   * Neutron: clients pointed at it (OS_REGION_NAME) reach the API under test.
   */
  async region(computeUrl: string): Promise<string> {
    const region = `${this.prefix}-region`;
    await call('POST', '/regions', this.admin, { region: { id: region } });
    this.undo.push(() => call('DELETE', `/regions/${region}`, this.admin));
    const services = await call<{ services: Array<{ id: string; type: string }> }>(
      'GET',
      '/services',
      this.admin,
    );
    const urls: Record<string, string> = {
      compute: computeUrl,
      image: GLANCE_URL,
      network: NEUTRON_URL,
      identity: `${KEYSTONE_URL}/v3`,
    };
    for (const [type, url] of Object.entries(urls)) {
      const service = services.body.services.find((s) => s.type === type);
      if (!service) {
        throw new Error(`no ${type} service in Keystone's catalog`);
      }
      for (const iface of ['public', 'internal', 'admin']) {
        const e = await call<{ endpoint: { id: string } }>('POST', '/endpoints', this.admin, {
          endpoint: { service_id: service.id, interface: iface, url, region_id: region },
        });
        this.undo.push(() => call('DELETE', `/endpoints/${e.body.endpoint.id}`, this.admin));
      }
    }
    return region;
  }

  async cleanup(): Promise<void> {
    for (const step of this.undo.reverse()) {
      await step().catch(() => undefined);
    }
  }
}

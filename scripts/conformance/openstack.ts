/**
 * The real Keystone, Glance and Neutron that scripts/openstack-services runs on
 * loopback, as the conformance harness talks to them: an admin token, image ids,
 * Neutron's extension aliases.
 */

export const KEYSTONE = 'http://127.0.0.1:5000';
export const GLANCE = 'http://127.0.0.1:9292';
export const NEUTRON = 'http://127.0.0.1:9696';

export interface OpenStackCredentials {
  readonly adminPassword: string;
  readonly servicePassword: string;
}

/** The passwords scripts/openstack-services set (same environment overrides). */
export function credentials(): OpenStackCredentials {
  return {
    adminPassword: process.env['OPENSTACK_ADMIN_PASSWORD'] ?? 'admin-secret',
    servicePassword: process.env['OPENSTACK_SERVICE_PASSWORD'] ?? 'service-secret',
  };
}

/** A project-scoped token of the bootstrap admin. */
export async function adminToken(password: string): Promise<string> {
  const res = await fetch(`${KEYSTONE}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) {
    throw new Error(`Keystone refused the admin login: HTTP ${res.status} ${await res.text()}`);
  }
  return token;
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { 'x-auth-token': token, accept: 'application/json' } });
  if (!res.ok) {
    throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

/** The id of the Glance image called `name` (scripts/openstack-services uploads cirros and cirros-alt). */
export async function imageId(token: string, name: string): Promise<string> {
  const body = await getJson<{ images: Array<{ id: string }> }>(
    `${GLANCE}/v2/images?name=${encodeURIComponent(name)}`,
    token,
  );
  const id = body.images[0]?.id;
  if (!id) {
    throw new Error(`no Glance image named ${name}`);
  }
  return id;
}

/** Neutron's extension aliases, for Tempest's [network-feature-enabled] api_extensions. */
export async function networkExtensions(token: string): Promise<string[]> {
  const body = await getJson<{ extensions: Array<{ alias: string }> }>(
    `${NEUTRON}/v2.0/extensions`,
    token,
  );
  return body.extensions.map((e) => e.alias).sort();
}

/** A Neutron v2.0 call with `token`; a 4xx/5xx answer throws with Neutron's message. */
export async function neutronCall<T = unknown>(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${NEUTRON}/v2.0${path}`, {
    method,
    headers: {
      'x-auth-token': token,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`Neutron ${method} ${path}: HTTP ${res.status} ${text.slice(0, 400)}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

import { KEYSTONE_URL, NEUTRON_URL, SERVICE_PASSWORD } from './keystone';
import type { Sections } from './config';

/** Neutron's v2.0 API with a token, for setting up and checking what the proxies did. */
export async function neutron<T = any>(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${NEUTRON_URL}/v2.0${path}`, {
    method,
    headers: {
      'x-auth-token': token,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Like `neutron`, but a 4xx/5xx answer is an error (for set-up steps). */
export async function neutronOk<T = any>(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await neutron<T>(token, method, path, body);
  if (res.status >= 400) {
    throw new Error(`Neutron ${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Whether Neutron has an API extension (`router` for floating IPs). */
export async function hasExtension(token: string, alias: string): Promise<boolean> {
  const res = await neutron<{ extensions: Array<{ alias: string }> }>(token, 'GET', '/extensions');
  return res.status === 200 && res.body.extensions.some((e) => e.alias === alias);
}

/** nova-api's settings for the real Keystone and Neutron (service users nova and neutron). */
export function openstackSections(extra: { neutron?: Record<string, string> } = {}): Sections {
  return {
    api: { auth_strategy: 'keystone' },
    keystone_authtoken: {
      auth_url: KEYSTONE_URL,
      username: 'nova',
      password: SERVICE_PASSWORD,
      project_name: 'service',
    },
    neutron: {
      auth_url: KEYSTONE_URL,
      auth_type: 'password',
      username: 'neutron',
      password: SERVICE_PASSWORD,
      project_name: 'service',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
      region_name: 'RegionOne',
      valid_interfaces: 'internal,public',
      ...extra.neutron,
    },
  };
}

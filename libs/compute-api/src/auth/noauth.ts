import type { Identity } from './unauthorized';
import { Unauthorized, withImpliedRoles } from './unauthorized';

/**
 * `[api] auth_strategy = noauth2`: the token is `user:project` (or `user`, then
 * the project is the user). User `admin` is an admin, anyone else a project
 * member. An `X-Roles` header (comma-separated) replaces the roles, so a reader
 * or manager can be tried out without Keystone. For development and tests only:
 * anyone can claim anything.
 */
export function noauthIdentity(headers: Record<string, string | string[] | undefined>): Identity {
  const token = first(headers['x-auth-token']);
  if (!token) {
    throw new Unauthorized('Keystone uri="noauth2"');
  }
  const colon = token.indexOf(':');
  const userId = colon < 0 ? token : token.slice(0, colon);
  const projectId = colon < 0 ? token : token.slice(colon + 1) || userId;
  const explicit = first(headers['x-roles']);
  const roles =
    explicit !== undefined
      ? explicit
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean)
      : userId === 'admin'
        ? ['admin']
        : ['member'];
  return { userId, projectId, roles: withImpliedRoles(roles) };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import { NovaError } from '@nova/common';

/** 401 with keystonemiddleware's body and a WWW-Authenticate challenge. */
export class Unauthorized extends NovaError {
  readonly code = 401;

  constructor(readonly challenge: string) {
    super('The request you have made requires authentication.');
  }
}

/** Who the caller is, once authenticated. */
export interface Identity {
  readonly userId: string;
  readonly projectId: string | null;
  readonly roles: readonly string[];
}

/** Keystone implies roles (admin > member > reader, manager > member); so do we for noauth2. */
export function withImpliedRoles(roles: readonly string[]): string[] {
  const set = new Set(roles.map((r) => r.toLowerCase()));
  if (set.has('admin')) {
    ['manager', 'member', 'reader'].forEach((r) => set.add(r));
  }
  if (set.has('manager')) {
    set.add('member');
  }
  if (set.has('member')) {
    set.add('reader');
  }
  return [...set];
}

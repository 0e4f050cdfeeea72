import { randomUUID } from 'node:crypto';

/**
 * Who is asking and on whose behalf: the request context carried through the API,
 * over RPC and into logs (Nova's RequestContext). It is immutable; targeting a cell
 * produces a new, cell-bound context (see cell-router `targetCell`).
 */
export interface RequestContext {
  readonly requestId: string;
  readonly globalRequestId?: string;
  readonly userId: string | null;
  readonly projectId: string | null;
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  /** 'no' hides soft-deleted rows, 'yes' shows them too, 'only' shows only them. */
  readonly readDeleted: 'no' | 'yes' | 'only';
  /**
   * The caller's token, forwarded to other services (Glance) so they apply the
   * caller's rights. Never logged, and not sent over RPC (see toWireContext).
   */
  readonly authToken?: string;
}

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** An admin context for internal work (CLI, periodic tasks, service start-up). */
export function adminContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: newRequestId(),
    userId: null,
    projectId: null,
    roles: ['admin'],
    isAdmin: true,
    readDeleted: 'no',
    ...overrides,
  };
}

import type { ApiVersion } from '../../http/api-version';

type Dto = new () => object;

export interface ActionOptions {
  readonly trustedCertsSupported: boolean;
}

/**
 * One action of POST /servers/{id}/action, as the dispatcher runs it: the
 * microversions it exists in (404 outside), its body schema by the
 * microversion each starts at (null: the member's value is not looked at),
 * and what the validated body asks for. The OpenAPI document reads the same
 * table.
 */
export interface ActionSpec<A> {
  readonly min?: string;
  readonly max?: string;
  readonly bodies: Readonly<Record<string, Dto | null>>;
  /** `body`: as its schema (or none) let it through; each reader knows its shape. */
  readonly read: (body: unknown, version: ApiVersion, options: ActionOptions) => A;
}

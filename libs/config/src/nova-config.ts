import { ApiOptions } from './sections/api.options';
import { CacheOptions } from './sections/cache.options';
import { CellsOptions } from './sections/cells.options';
import { ApiDatabaseOptions, DatabaseOptions } from './sections/database.options';
import { DefaultOptions } from './sections/default.options';
import { KeystoneOptions } from './sections/keystone.options';
import { PolicyOptions } from './sections/policy.options';
import { QuotaOptions } from './sections/quota.options';

/** Every section we read, keyed by its nova.conf name. Add a section here to load it. */
export const SECTIONS = {
  DEFAULT: DefaultOptions,
  api_database: ApiDatabaseOptions,
  database: DatabaseOptions,
  cache: CacheOptions,
  api: ApiOptions,
  cells: CellsOptions,
  oslo_policy: PolicyOptions,
  keystone_authtoken: KeystoneOptions,
  quota: QuotaOptions,
} as const;

type Sections = typeof SECTIONS;

export type NovaConfig = { readonly [K in keyof Sections]: InstanceType<Sections[K]> } & {
  /** The files read, in order (later ones override earlier ones). */
  readonly files: readonly string[];
};

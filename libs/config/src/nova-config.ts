import { ApiOptions } from './sections/api.options';
import { CacheOptions } from './sections/cache.options';
import { CellsOptions } from './sections/cells.options';
import { ApiDatabaseOptions, DatabaseOptions } from './sections/database.options';
import {
  ConsoleAuthOptions,
  ConsoleOptions,
  MksOptions,
  SerialConsoleOptions,
  SpiceOptions,
  VncOptions,
} from './sections/consoles.options';
import { ComputeOptions, FakeDriverOptions, FlatNetworkOptions } from './sections/compute.options';
import { DefaultOptions } from './sections/default.options';
import { FilterSchedulerOptions } from './sections/filter-scheduler.options';
import { GlanceOptions } from './sections/glance.options';
import { KeystoneOptions } from './sections/keystone.options';
import { LibvirtOptions } from './sections/libvirt.options';
import { OsloMessagingRabbitOptions } from './sections/messaging.options';
import { NeutronOptions } from './sections/neutron.options';
import {
  MessagingNotificationsOptions,
  MetricsOptions,
  NotificationsOptions,
  ReportsOptions,
} from './sections/observability.options';
import { PolicyOptions } from './sections/policy.options';
import { QuotaOptions } from './sections/quota.options';
import { SchedulerOptions } from './sections/scheduler.options';
import { ConductorOptions } from './sections/conductor.options';
import { UpgradeLevelsOptions } from './sections/upgrade-levels.options';

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
  libvirt: LibvirtOptions,
  quota: QuotaOptions,
  glance: GlanceOptions,
  neutron: NeutronOptions,
  scheduler: SchedulerOptions,
  filter_scheduler: FilterSchedulerOptions,
  conductor: ConductorOptions,
  compute: ComputeOptions,
  fake_driver: FakeDriverOptions,
  flat_network: FlatNetworkOptions,
  vnc: VncOptions,
  spice: SpiceOptions,
  serial_console: SerialConsoleOptions,
  mks: MksOptions,
  consoleauth: ConsoleAuthOptions,
  console: ConsoleOptions,
  oslo_messaging_rabbit: OsloMessagingRabbitOptions,
  metrics: MetricsOptions,
  notifications: NotificationsOptions,
  oslo_messaging_notifications: MessagingNotificationsOptions,
  oslo_reports: ReportsOptions,
  upgrade_levels: UpgradeLevelsOptions,
} as const;

type Sections = typeof SECTIONS;

export type NovaConfig = { readonly [K in keyof Sections]: InstanceType<Sections[K]> } & {
  /** The files read, in order (later ones override earlier ones). */
  readonly files: readonly string[];
};

import { Inject, Injectable } from '@nestjs/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { AvailabilityZoneRepository } from './availability-zone.repository';

/** The fields of a service row that decide its zone. */
export interface ZonedService {
  readonly host: string | null;
  readonly binary: string | null;
  readonly topic: string | null;
}

/** A compute service lives in its host's zone; every other service in the internal zone. */
export function isComputeService(service: ZonedService): boolean {
  return service.topic === 'compute' || service.binary === 'nova-compute';
}

/**
 * Availability zones as Nova derives them: a compute host is in the zones of the
 * aggregates holding it (metadata `availability_zone`, several joined by commas),
 * else in `[DEFAULT] default_availability_zone`; other services are in
 * `[DEFAULT] internal_service_availability_zone`.
 */
@Injectable()
export class AvailabilityZones {
  constructor(
    private readonly repo: AvailabilityZoneRepository,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  get internalZone(): string {
    return this.config.DEFAULT.internal_service_availability_zone;
  }

  get defaultZone(): string {
    return this.config.DEFAULT.default_availability_zone;
  }

  /** Per host, its zone (zones sorted and comma-joined when it is in several). */
  async hostZones(hosts: readonly string[]): Promise<Map<string, string>> {
    const byHost = await this.repo.zonesByHost(hosts);
    const zones = new Map<string, string>();
    for (const host of new Set(hosts)) {
      const names = byHost.get(host);
      zones.set(host, names && names.size > 0 ? [...names].sort().join(',') : this.defaultZone);
    }
    return zones;
  }

  /** The zone of each service, in order, with one API database query for all of them. */
  async serviceZones(services: readonly ZonedService[]): Promise<string[]> {
    const computeHosts = services
      .filter((s) => isComputeService(s) && s.host !== null)
      .map((s) => s.host as string);
    const hostZones = await this.hostZones(computeHosts);
    return services.map((s) =>
      isComputeService(s) ? (hostZones.get(s.host ?? '') ?? this.defaultZone) : this.internalZone,
    );
  }
}

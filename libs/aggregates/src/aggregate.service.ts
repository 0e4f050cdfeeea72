import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HostMappingRepository } from '@nova/api-db';
import type { NovaError } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  AddHostRefused,
  AggregateHostExists,
  AggregateHostNotFound,
  AggregateNameExists,
  AggregateNotFound,
  ComputeHostNotFound,
  CreateRefused,
  DeleteRefused,
  MetadataUpdateRefused,
  UpdateRefused,
} from './aggregate-errors';
import { AggregateRepository } from './aggregate.repository';
import {
  AZ_KEY,
  conflictingZones,
  groupHostsByZone,
  pythonList,
  zoneOf,
  type AggregateRecord,
} from './availability-zones';

export interface AggregateUpdate {
  readonly name?: string;
  /** null is refused, as Nova refuses an empty zone name. */
  readonly availabilityZone?: string | null;
}

/** Turns a refusal reason into the error of the operation that was refused. */
type Refusal = (reason: string) => NovaError;

/**
 * Host aggregates with Nova's rules: unique names, hosts that are mapped compute
 * hosts, and availability zones (the `availability_zone` metadata) that never put
 * one host in two zones. Callers are admins (the API checks the policies).
 */
@Injectable()
export class AggregateService {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly hostMappings: HostMappingRepository,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  list(): Promise<AggregateRecord[]> {
    return this.repo.listForDisplay();
  }

  async get(id: number): Promise<AggregateRecord> {
    const aggregate = await this.repo.findById(id);
    if (!aggregate) {
      throw new AggregateNotFound(id);
    }
    return aggregate;
  }

  /** A new aggregate; with a zone it is an availability zone. Timestamps are the exact ones. */
  async create(name: string, availabilityZone: string | null): Promise<AggregateRecord> {
    if (availabilityZone) {
      this.assertZoneName(name, availabilityZone, (reason) => new CreateRefused(name, reason));
    }
    if (await this.repo.nameTaken(name)) {
      throw new AggregateNameExists(name);
    }
    const metadata: Record<string, string> = availabilityZone ? { [AZ_KEY]: availabilityZone } : {};
    const fields = { uuid: randomUUID(), name, metadata, createdAt: new Date() };
    const id = await this.repo.create(fields);
    return { id, ...fields, updatedAt: null, hosts: [] };
  }

  /** PUT: a new name and/or zone; all checks pass before anything is written. */
  async update(id: number, changes: AggregateUpdate): Promise<AggregateRecord> {
    const aggregate = await this.get(id);
    if (changes.name !== undefined && (await this.repo.nameTaken(changes.name, aggregate.id))) {
      throw new AggregateNameExists(changes.name);
    }
    const zoneChange: Record<string, string | null> =
      changes.availabilityZone !== undefined ? { [AZ_KEY]: changes.availabilityZone } : {};
    await this.checkZoneChange(
      aggregate,
      zoneChange,
      (reason) => new UpdateRefused(aggregate.id, reason),
    );
    return this.apply(aggregate, changes.name, zoneChange);
  }

  /** set_metadata: keys set, null values deleted; the zone checked like an update. */
  async setMetadata(id: number, metadata: Record<string, string | null>): Promise<AggregateRecord> {
    const aggregate = await this.get(id);
    await this.checkZoneChange(
      aggregate,
      metadata,
      (reason) => new MetadataUpdateRefused(aggregate.id, reason),
    );
    return this.apply(aggregate, undefined, metadata);
  }

  /** Only an aggregate without hosts can go. */
  async delete(id: number): Promise<void> {
    const aggregate = await this.get(id);
    if (aggregate.hosts.length === 0 && (await this.repo.deleteIfEmpty(aggregate.id))) {
      return;
    }
    await this.get(id); // deleted meanwhile: 404; else a host was added meanwhile
    throw new DeleteRefused(aggregate.id, 'Host aggregate is not empty');
  }

  /** A mapped compute host joins; in a zone aggregate, only if it is in no other zone. */
  async addHost(id: number, host: string): Promise<AggregateRecord> {
    await this.assertComputeHost(host);
    const aggregate = await this.get(id);
    const zone = aggregate.metadata[AZ_KEY];
    if (zone !== undefined) {
      const conflicts = conflictingZones(
        await this.repo.zonedAggregatesOf([host]),
        aggregate.id,
        zone,
      );
      if (conflicts.length > 0) {
        throw new AddHostRefused(aggregate.id, hostsInZonesReason(conflicts));
      }
    }
    if (!(await this.repo.addHost(aggregate.id, host))) {
      throw new AggregateHostExists(aggregate.id, host);
    }
    return { ...aggregate, hosts: [...aggregate.hosts, host] };
  }

  async removeHost(id: number, host: string): Promise<AggregateRecord> {
    await this.assertComputeHost(host);
    const aggregate = await this.get(id);
    if (!(await this.repo.removeHost(aggregate.id, host))) {
      throw new AggregateHostNotFound(aggregate.id, host);
    }
    return { ...aggregate, hosts: aggregate.hosts.filter((h) => h !== host) };
  }

  /**
   * Image pre-caching (2.81): accepted for an existing aggregate. There are no
   * computes to cache on yet, so nothing is sent anywhere.
   */
  async requestImageCache(id: number, _imageIds: readonly string[]): Promise<void> {
    await this.get(id);
  }

  /** The availability zone of a compute host (its aggregates' zone, else the default one). */
  async availabilityZoneOf(host: string): Promise<string> {
    const rows = await this.repo.zonedHosts(host);
    return zoneOf(
      rows.map((r) => r.zone),
      this.config.DEFAULT.default_availability_zone,
    );
  }

  /** Every compute host (mapped or in an aggregate) by availability zone, sorted. */
  async hostsByZone(): Promise<Record<string, string[]>> {
    const [mappings, zoned] = await Promise.all([this.hostMappings.list(), this.repo.zonedHosts()]);
    return groupHostsByZone(
      mappings.map((m) => m.host),
      zoned,
      this.config.DEFAULT.default_availability_zone,
    );
  }

  private async apply(
    aggregate: AggregateRecord,
    name: string | undefined,
    metadata: Record<string, string | null>,
  ): Promise<AggregateRecord> {
    const updatedAt = new Date();
    await this.repo.update(aggregate.id, {
      ...(name !== undefined ? { name } : {}),
      metadata,
      updatedAt,
    });
    const merged = { ...aggregate.metadata };
    for (const [key, value] of Object.entries(metadata)) {
      if (value === null) {
        delete merged[key];
      } else {
        merged[key] = value;
      }
    }
    return { ...aggregate, name: name ?? aggregate.name, metadata: merged, updatedAt };
  }

  /** A zone change must name a zone, not the internal one, that none of the hosts is outside of. */
  private async checkZoneChange(
    aggregate: AggregateRecord,
    metadata: Record<string, string | null>,
    refuse: Refusal,
  ): Promise<void> {
    if (!(AZ_KEY in metadata)) {
      return;
    }
    const zone = metadata[AZ_KEY] ?? '';
    this.assertZoneName(aggregate.name, zone, refuse);
    const conflicts = conflictingZones(
      await this.repo.zonedAggregatesOf(aggregate.hosts),
      aggregate.id,
      zone,
    );
    if (conflicts.length > 0) {
      throw refuse(hostsInZonesReason(conflicts));
    }
  }

  private assertZoneName(aggregateName: string, zone: string, refuse: Refusal): void {
    if (!zone) {
      throw refuse(`Aggregate ${aggregateName} does not support empty named availability zone`);
    }
    if (zone === this.config.DEFAULT.internal_service_availability_zone) {
      throw refuse(
        `Aggregate ${aggregateName} cannot use the internal service availability zone ${zone}`,
      );
    }
  }

  /** Exact match: a case-insensitive database would also find "HOST1" for "host1". */
  private async assertComputeHost(host: string): Promise<void> {
    const mapping = await this.hostMappings.findByHost(host);
    if (!mapping || mapping.host !== host) {
      throw new ComputeHostNotFound(host);
    }
  }
}

function hostsInZonesReason(zones: readonly string[]): string {
  return `One or more hosts already in availability zone(s) ${pythonList(zones)}`;
}

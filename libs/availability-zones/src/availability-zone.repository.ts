import { Injectable } from '@nestjs/common';
import { Aggregate, AggregateHost, AggregateMetadata, ApiDatabase } from '@nova/api-db';

/** The aggregate metadata key that turns an aggregate into an availability zone. */
export const AZ_METADATA_KEY = 'availability_zone';

/** Reads which availability zones hosts are in, from the aggregates of the API database. */
@Injectable()
export class AvailabilityZoneRepository {
  constructor(private readonly db: ApiDatabase) {}

  /** Per host, the zone names of the aggregates holding it (only hosts in some zone appear). */
  async zonesByHost(hosts: readonly string[]): Promise<Map<string, Set<string>>> {
    const zones = new Map<string, Set<string>>();
    const wanted = [...new Set(hosts)];
    if (wanted.length === 0) {
      return zones;
    }
    const rows = await (
      await this.db.get()
    )
      .createQueryBuilder()
      .select('h.host', 'host')
      .addSelect('m.value', 'zone')
      .from(AggregateHost, 'h')
      .innerJoin(Aggregate, 'a', 'a.id = h.aggregate_id')
      .innerJoin(AggregateMetadata, 'm', 'm.aggregate_id = a.id AND m.key = :key', {
        key: AZ_METADATA_KEY,
      })
      .where('h.host IN (:...hosts)', { hosts: wanted })
      .getRawMany<{ host: string; zone: string }>();
    for (const row of rows) {
      const set = zones.get(row.host) ?? new Set<string>();
      set.add(row.zone);
      zones.set(row.host, set);
    }
    return zones;
  }
}

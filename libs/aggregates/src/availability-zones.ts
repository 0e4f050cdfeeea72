/** The metadata key that turns an aggregate into an availability zone. */
export const AZ_KEY = 'availability_zone';

/** A host aggregate with its hosts and metadata (the availability zone included). */
export interface AggregateRecord {
  readonly id: number;
  readonly uuid: string;
  readonly name: string;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
  readonly hosts: string[];
  readonly metadata: Record<string, string>;
}

export function availabilityZoneOfAggregate(aggregate: AggregateRecord): string | null {
  return aggregate.metadata[AZ_KEY] ?? null;
}

/** The zone an aggregate with `zone` holds, for one of the hosts being checked. */
export interface ZonedAggregate {
  readonly aggregateId: number;
  readonly zone: string;
}

/**
 * The zones that stop `aggregateId` from being in `zone`: those of the other
 * aggregates (sharing a host with it) whose zone differs, one entry per aggregate
 * as Nova lists them.
 */
export function conflictingZones(
  others: readonly ZonedAggregate[],
  aggregateId: number,
  zone: string,
): string[] {
  return others.filter((o) => o.aggregateId !== aggregateId && o.zone !== zone).map((o) => o.zone);
}

/**
 * A host's availability zone: the zone of its zone-defining aggregates (joined
 * with commas in the impossible case of several), else the default zone.
 */
export function zoneOf(zones: readonly string[], defaultZone: string): string {
  const distinct = [...new Set(zones)].sort();
  return distinct.length > 0 ? distinct.join(',') : defaultZone;
}

/**
 * Hosts by availability zone: `zoned` hosts in their aggregates' zone, every
 * other known host in the default zone. Zones and hosts are sorted.
 */
export function groupHostsByZone(
  knownHosts: readonly string[],
  zoned: ReadonlyArray<{ host: string; zone: string }>,
  defaultZone: string,
): Record<string, string[]> {
  const zonesByHost = new Map<string, string[]>();
  for (const { host, zone } of zoned) {
    zonesByHost.set(host, [...(zonesByHost.get(host) ?? []), zone]);
  }
  const byZone = new Map<string, Set<string>>();
  for (const host of new Set([...knownHosts, ...zonesByHost.keys()])) {
    const zone = zoneOf(zonesByHost.get(host) ?? [], defaultZone);
    byZone.set(zone, (byZone.get(zone) ?? new Set()).add(host));
  }
  return Object.fromEntries(
    [...byZone.keys()].sort().map((zone) => [zone, [...(byZone.get(zone) ?? [])].sort()]),
  );
}

/** A list of strings as Python prints it (Nova puts `['az1']` in its messages). */
export function pythonList(values: readonly string[]): string {
  return `[${values
    .map((v) =>
      v.includes("'") && !v.includes('"')
        ? `"${v.replace(/\\/g, '\\\\')}"`
        : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
    )
    .join(', ')}]`;
}

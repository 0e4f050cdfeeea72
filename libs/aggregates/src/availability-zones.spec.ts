import { conflictingZones, groupHostsByZone, pythonList, zoneOf } from './availability-zones';

describe('availability zones of hosts', () => {
  it('is the zone of the host aggregates, else the default zone', () => {
    expect(zoneOf([], 'nova')).toBe('nova');
    expect(zoneOf(['az1', 'az1'], 'nova')).toBe('az1');
    // Never produced through the API (one zone per host), but defined: joined and sorted.
    expect(zoneOf(['b', 'a'], 'nova')).toBe('a,b');
  });

  it('groups known hosts by zone, the unzoned ones in the default zone', () => {
    expect(
      groupHostsByZone(
        ['c2', 'c1', 'c3', 'c4'],
        [
          { host: 'c3', zone: 'az2' },
          { host: 'c1', zone: 'az1' },
          { host: 'c3', zone: 'az2' },
          { host: 'gone', zone: 'az1' },
        ],
        'nova',
      ),
    ).toEqual({ az1: ['c1', 'gone'], az2: ['c3'], nova: ['c2', 'c4'] });
    expect(groupHostsByZone([], [], 'nova')).toEqual({});
  });

  it('finds the zones that conflict with a new zone, one per other aggregate', () => {
    const others = [
      { aggregateId: 1, zone: 'az1' },
      { aggregateId: 2, zone: 'az2' },
      { aggregateId: 3, zone: 'az2' },
      { aggregateId: 4, zone: 'az3' },
    ];
    expect(conflictingZones(others, 4, 'az3')).toEqual(['az1', 'az2', 'az2']);
    expect(conflictingZones(others, 1, 'az1')).toEqual(['az2', 'az2', 'az3']);
    expect(conflictingZones([{ aggregateId: 7, zone: 'x' }], 7, 'y')).toEqual([]);
  });

  it("prints lists as Python does in Nova's messages", () => {
    expect(pythonList(['az1', 'az2'])).toBe("['az1', 'az2']");
    expect(pythonList(["it's"])).toBe(`["it's"]`);
    expect(pythonList([])).toBe('[]');
  });
});

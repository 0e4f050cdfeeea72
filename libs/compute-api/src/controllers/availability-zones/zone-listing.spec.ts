import type { Cell } from '@nova/cell-router';
import type { ServiceRecord as Service } from '@nova/host-inventory';
import type { ServiceRow } from '@nova/host-inventory';
import { zoneDetails, zoneSummaries } from './zone-listing';

const cell = { uuid: 'c1', name: 'cell1' } as Cell;
const row = (
  host: string,
  binary: string,
  zone: string,
  state: { disabled?: boolean; up?: boolean } = {},
): ServiceRow => ({
  cell,
  zone,
  up: state.up ?? true,
  service: {
    host,
    binary,
    disabled: state.disabled ?? false,
    updated_at: new Date('2026-11-21T20:07:17Z'),
  } as Service,
});

describe('zone listing', () => {
  const rows = [
    row('vm', 'nova-conductor', 'internal'),
    row('c2', 'nova-compute', 'nova'),
    row('c1', 'nova-compute', 'nova'),
    row('c3', 'nova-compute', 'az-down', { up: false }),
    row('c4', 'nova-compute', 'az-off', { disabled: true }),
    row('c5', 'nova-compute', 'az-mixed', { disabled: true }),
    row('c6', 'nova-compute', 'az-mixed'),
  ];

  it('summarises zones: available ones first, each group by name, internal hidden', () => {
    expect(zoneSummaries(rows, 'internal').map((z) => [z.zoneName, z.zoneState.available])).toEqual(
      [
        ['az-mixed', true],
        ['nova', true],
        ['az-down', false],
        ['az-off', false],
      ],
    );
  });

  it('details available zones with hosts by name and their enabled services', () => {
    const details = zoneDetails(rows);
    const mixed = details.find((z) => z.zoneName === 'az-mixed');
    expect(mixed?.hosts).toEqual({
      c6: {
        'nova-compute': {
          available: true,
          active: true,
          updated_at: '2026-11-21T20:07:17.000000',
        },
      },
    });
    expect(Object.keys(details.find((z) => z.zoneName === 'nova')?.hosts ?? {})).toEqual([
      'c1',
      'c2',
    ]);
    expect(details.find((z) => z.zoneName === 'az-off')).toEqual({
      zoneName: 'az-off',
      zoneState: { available: false },
      hosts: null,
    });
    expect(details.map((z) => z.zoneName)).toEqual([
      'az-mixed',
      'internal',
      'nova',
      'az-down',
      'az-off',
    ]);
  });
});

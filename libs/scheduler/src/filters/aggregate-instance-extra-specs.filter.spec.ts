import { makeHost, makeSpec } from '../testing/fixtures';
import {
  AggregateInstanceExtraSpecsFilter,
  aggregateMetadataOf,
} from './aggregate-instance-extra-specs.filter';

const withSpecs = (extra_specs: Record<string, string>) => makeSpec({ flavor: { extra_specs } });

describe('AggregateInstanceExtraSpecsFilter', () => {
  const fast = makeHost('fast', {
    aggregates: [
      { name: 'ssd', metadata: { ssd: 'true', tier: 'gold' }, hosts: ['fast'] },
      { name: 'gpu', metadata: { gpus: '4', tier: 'silver,bronze' }, hosts: ['fast'] },
    ],
  });
  const plain = makeHost('plain');
  const passes = (host = fast, specs: Record<string, string>) =>
    AggregateInstanceExtraSpecsFilter.hostPasses(host, withSpecs(specs));

  it('passes every host for a flavor without extra specs', () => {
    expect(passes(plain, {})).toBe(true);
  });

  it('matches scoped keys against aggregate metadata', () => {
    expect(passes(fast, { 'aggregate_instance_extra_specs:ssd': 'true' })).toBe(true);
    expect(passes(fast, { 'aggregate_instance_extra_specs:ssd': 'false' })).toBe(false);
    expect(passes(plain, { 'aggregate_instance_extra_specs:ssd': 'true' })).toBe(false);
  });

  it('matches unscoped keys as well', () => {
    expect(passes(fast, { ssd: 'true' })).toBe(true);
    expect(passes(plain, { ssd: 'true' })).toBe(false);
  });

  it('ignores keys of other scopes', () => {
    expect(
      passes(plain, { 'hw:cpu_policy': 'dedicated', 'capabilities:hypervisor_type': 'QEMU' }),
    ).toBe(true);
  });

  it('uses the extra-spec operators', () => {
    expect(passes(fast, { 'aggregate_instance_extra_specs:gpus': '>= 2' })).toBe(true);
    expect(passes(fast, { 'aggregate_instance_extra_specs:gpus': '>= 8' })).toBe(false);
    expect(passes(fast, { 'aggregate_instance_extra_specs:tier': '<or> platinum <or> gold' })).toBe(
      true,
    );
    expect(passes(fast, { 'aggregate_instance_extra_specs:tier': 's!= gold' })).toBe(true); // silver does
  });

  it('passes when any value of any aggregate matches (comma-separated values split)', () => {
    expect(passes(fast, { tier: 'bronze' })).toBe(true);
    expect(passes(fast, { tier: 'silver' })).toBe(true);
    expect(passes(fast, { tier: 'silver,bronze' })).toBe(false);
  });

  it('needs every spec to match', () => {
    expect(passes(fast, { ssd: 'true', gpus: '4' })).toBe(true);
    expect(passes(fast, { ssd: 'true', gpus: '2' })).toBe(false);
  });
});

describe('aggregateMetadataOf', () => {
  it('merges the metadata of all aggregates', () => {
    const h = makeHost('h', {
      aggregates: [
        { name: 'a', metadata: { k: 'x, y' }, hosts: [] },
        { name: 'b', metadata: { k: 'z', j: '1' }, hosts: [] },
      ],
    });
    expect(aggregateMetadataOf(h)).toEqual(
      new Map([
        ['k', new Set(['x', 'y', 'z'])],
        ['j', new Set(['1'])],
      ]),
    );
  });
});

import { moveUsage, type MoveRow } from './move-usage';

const small = { vcpus: 1, memory_mb: 256, root_gb: 1, ephemeral_gb: 0 };
const big = { vcpus: 2, memory_mb: 512, root_gb: 2, ephemeral_gb: 1 };
const resize = (overrides: Partial<MoveRow>): MoveRow => ({
  migration_type: 'resize',
  status: 'pre-migrating',
  source_compute: 'a',
  dest_compute: 'b',
  instance_host: 'a',
  flavor: JSON.stringify({ cur: small, old: small, new: big }),
  ...overrides,
});
const none = { vcpus: 0, memory_mb: 0, root_gb: 0, ephemeral_gb: 0 };

describe('moveUsage (what moves hold on a host, as placement counts it)', () => {
  it('holds the new flavor on the destination until the instance arrives', () => {
    for (const status of ['pre-migrating', 'migrating', 'post-migrating']) {
      expect(moveUsage([resize({ status })], 'b')).toEqual(big);
      expect(moveUsage([resize({ status })], 'a')).toEqual(none); // the instance counts itself there
    }
  });

  it('holds the old flavor on the source once it has, until confirmed or reverted', () => {
    const finished = resize({
      status: 'finished',
      instance_host: 'b',
      flavor: JSON.stringify({ cur: big, old: small, new: big }),
    });
    expect(moveUsage([finished], 'a')).toEqual(small);
    expect(moveUsage([finished], 'b')).toEqual(none);
    for (const status of ['confirmed', 'reverted', 'error', 'cancelled']) {
      expect(moveUsage([{ ...finished, status }], 'a')).toEqual(none);
    }
  });

  it('on one host (allow_resize_to_same_host) adds the flavor the instance does not run with', () => {
    const same = { source_compute: 'a', dest_compute: 'a', instance_host: 'a' };
    expect(moveUsage([resize({ ...same, status: 'migrating' })], 'a')).toEqual(big);
    expect(moveUsage([resize({ ...same, status: 'finished' })], 'a')).toEqual(small);
  });

  it("keeps an evacuation's source held while it is done but not cleaned up", () => {
    const evacuation = resize({
      migration_type: 'evacuation',
      status: 'done',
      instance_host: 'b',
      flavor: JSON.stringify({ cur: small }),
    });
    expect(moveUsage([evacuation], 'a')).toEqual(small);
    expect(moveUsage([{ ...evacuation, status: 'completed' }], 'a')).toEqual(none);
    expect(moveUsage([{ ...evacuation, migration_type: 'migration' }], 'a')).toEqual(none);
    expect(moveUsage([resize({ status: 'accepted' })], 'b')).toEqual(none); // not placed yet
  });
});

import type { RequestContext } from '@nova/common';
import type { CrossCellStep, WireFlavor, WireMove } from '@nova/compute-rpc';
import type { InstanceSpec, VirtDriver } from '@nova/cells/virt';
import { PowerState } from '@nova/compute-state';
import { getLogger } from '@nova/logging';
import { guestSpec, powersOn } from './move-guest';

const log = getLogger('compute.cross-cell');

/**
 * A host's part in a cross-cell resize (Nova's *_snapshot_based_resize_*
 * methods): driver work only, called and waited for by the super conductor,
 * which alone writes to the two cells' databases. Each step answers the
 * guest's power state; a failed step leaves the guest as it found it and
 * throws, so the super conductor can undo the move.
 */
export function crossCellSteps(
  driver: VirtDriver,
  arriving: (move: WireMove, flavor: WireFlavor) => InstanceSpec,
): Record<CrossCellStep, (ctx: RequestContext, a: { move: WireMove }) => Promise<number>> {
  const powerOf = (uuid: string) => driver.powerState(uuid);
  return {
    /** Source: power off and set the guest aside (kept for a revert). */
    prep_snapshot_based_resize_at_source: async (_ctx, { move }) => {
      const uuid = move.guest.instance_uuid;
      try {
        await driver.migrateDiskAndPowerOff(
          guestSpec(move, move.old_flavor),
          guestSpec(move, move.new_flavor),
        );
      } catch (err) {
        if (powersOn(move) && (await powerOf(uuid)) !== PowerState.RUNNING) {
          await driver.powerOn(uuid).catch(() => undefined);
        }
        throw err;
      }
      return PowerState.SHUTDOWN;
    },
    /** Destination: the guest with the new flavor (nothing left here when it fails). */
    finish_snapshot_based_resize_at_dest: async (_ctx, { move }) => {
      const uuid = move.guest.instance_uuid;
      try {
        await driver.finishMigration(arriving(move, move.new_flavor), powersOn(move));
      } catch (err) {
        await driver.destroy(uuid).catch(() => undefined);
        throw err;
      }
      return powerOf(uuid);
    },
    /** Destination of a revert (or of a move undone after it spawned): the guest goes. */
    revert_snapshot_based_resize_at_dest: async (_ctx, { move }) => {
      await driver.destroy(move.guest.instance_uuid);
      return PowerState.NOSTATE;
    },
    /** Source: the set-aside guest back, with the old flavor. */
    finish_revert_snapshot_based_resize_at_source: async (_ctx, { move }) => {
      const uuid = move.guest.instance_uuid;
      await driver.finishRevertMigration(guestSpec(move, move.old_flavor), powersOn(move));
      return powerOf(uuid);
    },
    /** Source of a confirmed move: the set-aside guest goes. */
    confirm_snapshot_based_resize_at_source: async (_ctx, { move }) => {
      const uuid = move.guest.instance_uuid;
      await driver.confirmMigration(uuid).catch((err: unknown) => {
        log.warn({ uuid, err: String(err) }, 'could not drop the source copy');
      });
      return PowerState.NOSTATE;
    },
  };
}

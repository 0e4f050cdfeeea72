import type { WireFlavor, WireMove } from '@nova/compute-rpc';
import { VmState } from '@nova/compute-state';
import type { InstanceSpec } from '@nova/cells/virt';

/** The guest as the driver builds it, with one of the move's flavors. */
export function guestSpec(move: WireMove, flavor: WireFlavor): InstanceSpec {
  const g = move.guest;
  return {
    uuid: g.instance_uuid,
    name: g.instance_name,
    displayName: g.display_name,
    vcpus: flavor.vcpus,
    memoryMb: flavor.memory_mb,
    rootGb: flavor.root_gb,
    ephemeralGb: flavor.ephemeral_gb,
    image: {
      id: g.image.id,
      ...(g.image.name ? { name: g.image.name } : {}),
      properties: g.image.properties,
    },
    userData: g.user_data,
    keyData: g.key_data,
    networks: g.vifs.map((v) => ({ address: v.address, mac: v.mac })),
  };
}

/** Whether the guest runs once the move is over (a stopped server stays stopped). */
export function powersOn(move: WireMove): boolean {
  return move.old_vm_state !== VmState.STOPPED;
}

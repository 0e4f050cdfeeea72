import { Invalid } from '@nova/common';
import { uuidLike } from '../../http/uuid-like';
import { toBool } from '../validators';
import { hasDeviceTags } from './networks.dto';

/** We have no block storage: only the mapping Nova builds for an image boot is accepted. */
export const BDM_NOT_SUPPORTED = 'Block device mapping is not supported';

const IMAGE_BOOT_KEYS = [
  'source_type',
  'destination_type',
  'boot_index',
  'uuid',
  'delete_on_termination',
];

/**
 * The image a request's block device mappings boot from, or null when it has
 * none. The only mapping we can honour is a single local disk made from an
 * image at boot index 0 (what `imageRef` means anyway); legacy mappings and
 * anything else are refused with 400 rather than half-done.
 */
export function bootImageFromMappings(
  legacy: ReadonlyArray<Record<string, unknown>> | undefined,
  mappings: ReadonlyArray<Record<string, unknown>> | undefined,
  version: string,
): string | null {
  if (legacy && legacy.length > 0) {
    throw new Invalid(BDM_NOT_SUPPORTED);
  }
  if (!mappings || mappings.length === 0) {
    return null;
  }
  const allowed = hasDeviceTags(version) ? [...IMAGE_BOOT_KEYS, 'tag'] : IMAGE_BOOT_KEYS;
  const [bdm] = mappings;
  const image = typeof bdm?.['uuid'] === 'string' ? uuidLike(bdm['uuid']) : null;
  const ok =
    mappings.length === 1 &&
    bdm !== undefined &&
    Object.keys(bdm).every((k) => allowed.includes(k)) &&
    bdm['source_type'] === 'image' &&
    (bdm['destination_type'] === undefined || bdm['destination_type'] === 'local') &&
    (bdm['boot_index'] === 0 || bdm['boot_index'] === '0') &&
    (bdm['delete_on_termination'] === undefined || toBool(bdm['delete_on_termination'])) &&
    image !== null;
  if (!ok) {
    throw new Invalid(BDM_NOT_SUPPORTED);
  }
  return image;
}

import type { WireImage } from '@nova/compute-rpc';
import type { Image } from '@nova/images';

/** What the conductors, the scheduler and the computes get to know of an image. */
export function wireImage(image: Image): WireImage {
  return {
    id: image.id,
    name: image.name,
    min_disk: image.min_disk,
    min_ram: image.min_ram,
    properties: image.properties,
  };
}

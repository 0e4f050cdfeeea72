import type { RequestContext } from '@nova/common';
import type { Image, ImageListQuery } from './image';

/** Where images come from: Glance, or the local catalog when no Glance is configured. */
export interface ImageBackend {
  /** Images the caller may see, newest first, one page. Unknown marker: ImageMarkerNotFound. */
  list(ctx: RequestContext, query: ImageListQuery): Promise<Image[]>;
  /** An image the caller may see; otherwise ImageNotFound. */
  get(ctx: RequestContext, id: string): Promise<Image>;
  /** ImageNotFound, or ImageNotAuthorized when the caller may not delete it. */
  delete(ctx: RequestContext, id: string): Promise<void>;
  /** The image service's public URL (Nova's "alternate" links); null for the local catalog. */
  readonly endpoint: string | null;
}

export const IMAGE_BACKEND = Symbol('IMAGE_BACKEND');

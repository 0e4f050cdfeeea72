import type { RequestContext } from '@nova/common';
import type { Image, ImageCreate, ImageData, ImageListQuery } from './image';

/** Where images come from: Glance, or the local catalog when no Glance is configured. */
export interface ImageBackend {
  /** Images the caller may see, newest first, one page. Unknown marker: ImageMarkerNotFound. */
  list(ctx: RequestContext, query: ImageListQuery): Promise<Image[]>;
  /** An image the caller may see; otherwise ImageNotFound. */
  get(ctx: RequestContext, id: string): Promise<Image>;
  /** ImageNotFound, or ImageNotAuthorized when the caller may not delete it. */
  delete(ctx: RequestContext, id: string): Promise<void>;
  /** A new image owned by the caller's project, `queued` (no data yet). */
  create(ctx: RequestContext, image: ImageCreate): Promise<Image>;
  /** The image's data: its formats are set, the bytes stored, and it is `active`. */
  upload(ctx: RequestContext, id: string, data: ImageData): Promise<Image>;
  /**
   * Set and remove properties (Nova's image metadata). ImageNotAuthorized when
   * the caller may not change the image; the image as it now is.
   */
  setProperties(ctx: RequestContext, id: string, changes: PropertyChanges): Promise<Image>;
  /** The image service's public URL (Nova's "alternate" links); null for the local catalog. */
  readonly endpoint: string | null;
}

/** Properties to set (added or replaced) and to remove, by name. */
export interface PropertyChanges {
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

export const IMAGE_BACKEND = Symbol('IMAGE_BACKEND');

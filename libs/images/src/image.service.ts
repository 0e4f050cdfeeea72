import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import type { Image, ImageCreate, ImageData, ImageListQuery } from './image';
import { IMAGE_BACKEND, type ImageBackend, type PropertyChanges } from './image-backend';

/**
 * Images for the API and for the build path (imageRef checks, image properties
 * for scheduling), from Glance or the local catalog. Visibility is the image
 * service's: callers see what their token (or project) may see.
 */
@Injectable()
export class ImageService {
  constructor(@Inject(IMAGE_BACKEND) private readonly backend: ImageBackend) {}

  /** One page of visible images, newest first. Errors: ImageMarkerNotFound (400), Glance's. */
  list(ctx: RequestContext, query: ImageListQuery): Promise<Image[]> {
    return this.backend.list(ctx, query);
  }

  /** The image, or ImageNotFound (also for ids that are not UUIDs). */
  get(ctx: RequestContext, id: string): Promise<Image> {
    return this.backend.get(ctx, id);
  }

  /** Delete in Glance; the local catalog deletes snapshots only (others: ImageNotAuthorized, 403). */
  delete(ctx: RequestContext, id: string): Promise<void> {
    return this.backend.delete(ctx, id);
  }

  /** A queued image for a snapshot (Glance with the caller's token, or the local catalog). */
  create(ctx: RequestContext, image: ImageCreate): Promise<Image> {
    return this.backend.create(ctx, image);
  }

  /** A snapshot's data: the image becomes active. */
  upload(ctx: RequestContext, id: string, data: ImageData): Promise<Image> {
    return this.backend.upload(ctx, id, data);
  }

  /** Nova's image metadata: properties set and removed, the image as it now is. */
  setProperties(ctx: RequestContext, id: string, changes: PropertyChanges): Promise<Image> {
    return this.backend.setProperties(ctx, id, changes);
  }

  /** Glance's URL for clients ("alternate" image links); null with the local catalog. */
  get endpoint(): string | null {
    return this.backend.endpoint;
  }
}

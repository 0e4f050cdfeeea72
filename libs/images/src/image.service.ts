import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import type { Image, ImageListQuery } from './image';
import { IMAGE_BACKEND, type ImageBackend } from './image-backend';

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

  /** Delete in Glance; the local catalog refuses (ImageNotAuthorized, 403). */
  delete(ctx: RequestContext, id: string): Promise<void> {
    return this.backend.delete(ctx, id);
  }

  /** Glance's URL for clients ("alternate" image links); null with the local catalog. */
  get endpoint(): string | null {
    return this.backend.endpoint;
  }
}

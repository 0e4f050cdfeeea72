import { Forbidden, Invalid, NotFound, ServiceUnavailable } from '@nova/common';
import { ConfigError } from '@nova/config';

export class ImageNotFound extends NotFound {
  constructor(readonly imageId: string) {
    super(`Image ${imageId} could not be found.`, { image_id: imageId });
  }
}

export class ImageNotAuthorized extends Forbidden {
  constructor(imageId: string) {
    super(`Not authorized for image ${imageId}.`, { image_id: imageId });
  }
}

export class ImageMarkerNotFound extends Invalid {
  constructor(marker: string) {
    super(`Marker ${marker} could not be found.`, { marker });
  }
}

/** Glance could not be reached (after retries) or answered nonsense. */
export class GlanceConnectionFailed extends ServiceUnavailable {
  constructor(server: string, reason: string) {
    super(`Connection to glance host ${server} failed: ${reason}`, { server, reason });
  }
}

/** A local catalog file we cannot use: a config problem, start-up stops with it. */
export class InvalidImageCatalog extends ConfigError {
  constructor(source: string, reason: string) {
    super(`Invalid image catalog ${source} ([glance] local_catalog): ${reason}`);
    this.name = 'InvalidImageCatalog';
  }
}

import { NotFound } from '@nova/common';

export class MetadataNotFound extends NotFound {
  constructor(uuid: string, key: string) {
    super(`Metadata item was not found`, { instance_uuid: uuid, key });
  }
}

export class TagNotFound extends NotFound {
  constructor(uuid: string, tag: string) {
    super(`Tag ${tag} could not be found.`, { instance_uuid: uuid, tag });
  }
}

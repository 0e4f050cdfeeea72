import { Conflict, NotFound } from '@nova/common';

export class ResourceProviderNotFound extends NotFound {
  constructor(uuid: string) {
    super(`No resource provider with uuid ${uuid} found`, { uuid });
  }
}

/** Another provider already has this name (names are unique, as in placement). */
export class ResourceProviderNameConflict extends Conflict {
  constructor(name: string) {
    super(`Conflicting resource provider name: ${name} already exists.`, { name });
  }
}

/** Concurrent updates kept changing the provider under us; the caller may try again. */
export class ResourceProviderConcurrentUpdate extends Conflict {
  constructor(uuid: string) {
    super(`A concurrent update was detected on resource provider ${uuid}. Please try again.`, {
      uuid,
    });
  }
}

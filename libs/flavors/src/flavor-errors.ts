import { Conflict, NotFound } from '@nova/common';

export class FlavorNotFound extends NotFound {
  constructor(id: string) {
    super(`Flavor ${id} could not be found.`, { id });
  }
}

export class FlavorExists extends Conflict {}

export class FlavorAccessNotFound extends NotFound {
  constructor(flavorId: string, projectId: string) {
    super(`Flavor access not found for ${flavorId} / ${projectId} combination.`);
  }
}

export class FlavorExtraSpecNotFound extends NotFound {
  constructor(flavorId: string, key: string) {
    super(`Flavor ${flavorId} has no extra specs with key ${key}.`);
  }
}

import { Invalid, NotFound } from '@nova/common';

export class ServerGroupNotFound extends NotFound {
  constructor(uuid: string) {
    super(`Instance group ${uuid} could not be found.`, { group_uuid: uuid });
  }
}

/** Rules were given for a policy other than anti-affinity (2.64). */
export class RulesNotSupported extends Invalid {
  constructor() {
    super('Only anti-affinity policy supports rules.');
  }
}

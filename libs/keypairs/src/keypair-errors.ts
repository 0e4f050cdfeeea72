import { Conflict, Invalid, NotFound } from '@nova/common';

export class InvalidKeypair extends Invalid {
  constructor(reason: string) {
    super(`Keypair data is invalid: ${reason}`, { reason });
  }
}

export class KeypairNotFound extends NotFound {
  constructor(name: string, userId: string) {
    super(`Keypair ${name} not found for user ${userId}`, { name, userId });
  }
}

export class KeyPairExists extends Conflict {
  constructor(name: string) {
    super(`Key pair '${name}' already exists.`, { name });
  }
}

export class KeypairMarkerNotFound extends Invalid {
  constructor(marker: string) {
    super(`Marker ${marker} could not be found.`, { marker });
  }
}

import { Conflict, Invalid, NotFound } from '@nova/common';

export class AggregateNotFound extends NotFound {
  constructor(id: number | string) {
    super(`Aggregate ${id} could not be found.`, { id });
  }
}

export class AggregateNameExists extends Conflict {
  constructor(name: string) {
    super(`Aggregate ${name} already exists.`, { name });
  }
}

export class AggregateHostExists extends Conflict {
  constructor(id: number, host: string) {
    super(`Aggregate ${id} already has host ${host}.`, { id, host });
  }
}

export class AggregateHostNotFound extends NotFound {
  constructor(id: number, host: string) {
    super(`Aggregate ${id} has no host ${host}.`, { id, host });
  }
}

/** A host that is not a mapped compute host (HostMapping). */
export class ComputeHostNotFound extends NotFound {
  constructor(host: string) {
    super(`Compute host ${host} could not be found.`, { host });
  }
}

/** add_host refused (availability-zone conflict): Nova answers it with 409. */
export class AddHostRefused extends Conflict {
  constructor(id: number, reason: string) {
    super(`Cannot add host to aggregate ${id}. Reason: ${reason}.`, { id, reason });
  }
}

/** Creating an aggregate refused (its zone name): 400. */
export class CreateRefused extends Invalid {
  constructor(name: string, reason: string) {
    super(`Cannot create aggregate ${name}. Reason: ${reason}.`, { name, reason });
  }
}

/** PUT /os-aggregates/{id} refused: 400. */
export class UpdateRefused extends Invalid {
  constructor(id: number, reason: string) {
    super(`Cannot update aggregate ${id}. Reason: ${reason}.`, { id, reason });
  }
}

/** set_metadata refused: 400. */
export class MetadataUpdateRefused extends Invalid {
  constructor(id: number, reason: string) {
    super(`Cannot update metadata of aggregate ${id}. Reason: ${reason}.`, { id, reason });
  }
}

/** Deleting an aggregate that still has hosts: 400 (Nova's wording, "remove host" included). */
export class DeleteRefused extends Invalid {
  constructor(id: number, reason: string) {
    super(`Cannot remove host from aggregate ${id}. Reason: ${reason}.`, { id, reason });
  }
}

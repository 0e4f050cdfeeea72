import { Conflict, Forbidden, Invalid, NotFound } from '@nova/common';

/** Nova's SecurityGroupNotFound: the message is Neutron's, or Nova's own for lookups by name. */
export class SecurityGroupNotFound extends NotFound {}

/** A name that matches more than one group (Nova's NoUniqueMatch, 409). */
export class NoUniqueMatch extends Conflict {}

/** Neutron's 409 on create (over quota): Nova answers 403 there (a duplicate rule is found first: 400). */
export class SecurityGroupLimitExceeded extends Forbidden {}

/** Neutron refused (400, or 409 for a group in use): Nova's Invalid. */
export class SecurityGroupInvalid extends Invalid {}

export class NetworkNotFound extends NotFound {
  constructor() {
    super('Network not found');
  }
}

export class FloatingIpNotFound extends NotFound {
  constructor(id: string) {
    super(`Floating IP not found for ID ${id}`, { id });
  }
}

export class FloatingIpPoolNotFound extends NotFound {
  constructor() {
    super('Floating IP pool not found.');
  }
}

export class NoMoreFloatingIps extends NotFound {
  constructor(pool: string | undefined) {
    super(pool ? `No more floating IPs in pool ${pool}.` : 'No more floating IPs available.');
  }
}

export class FloatingIpLimitExceeded extends Forbidden {
  constructor(pool: string | undefined) {
    super(pool ? `IP allocation over quota in pool ${pool}.` : 'IP allocation over quota.');
  }
}

import { Conflict, Forbidden, Invalid } from '@nova/common';

/**
 * Nova's faults of a server create's networks (nova/exception.py, and the
 * codes servers.py gives them).
 */

export class PortLimitExceeded extends Forbidden {
  constructor() {
    super('Maximum number of ports exceeded');
  }
}

export class PortNotFoundForCreate extends Invalid {
  constructor(portId: string) {
    super(`Port id ${portId} could not be found.`);
  }
}

export class PortInUse extends Conflict {
  constructor(portId: string) {
    super(`Port ${portId} is still in use.`);
  }
}

export class NetworkNotFoundForCreate extends Invalid {
  constructor(networkId: string) {
    super(`Network ${networkId} could not be found.`);
  }
}

export class NetworkRequiresSubnet extends Invalid {
  constructor(networkId: string) {
    super(`Network ${networkId} requires a subnet in order to boot instances on.`);
  }
}

export class NetworkAmbiguous extends Conflict {
  constructor() {
    super('Multiple possible networks found, use a Network ID to be more specific.');
  }
}

export class UnableToAutoAllocateNetwork extends Invalid {
  constructor(projectId: string) {
    super(`Unable to automatically allocate a network for project ${projectId}`);
  }
}

export class FixedIpAlreadyInUse extends Invalid {
  constructor(address: string, instanceUuid: string) {
    super(`Fixed IP address ${address} is already in use on instance ${instanceUuid}.`);
  }
}

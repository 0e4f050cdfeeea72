import { Conflict, Invalid, NotFound, NovaError } from '@nova/common';

export class ServiceNotFound extends NotFound {
  constructor(readonly serviceId: string | number) {
    super(`Service ${serviceId} could not be found.`, { serviceId });
  }
}

/** An integer service id is only unique within a cell. */
export class ServiceNotUnique extends Invalid {
  constructor(serviceId: number) {
    super(`Service id ${serviceId} refers to multiple services.`, { serviceId });
  }
}

export class HostBinaryNotFound extends NotFound {
  constructor(host: string, binary: string) {
    super(`Could not find binary ${binary} on host ${host}.`, { host, binary });
  }
}

export class ServiceUpdateNotSupported extends Invalid {
  constructor(binary: string | null) {
    super(
      `Updating a ${binary ?? 'None'} service is not supported. Only nova-compute services can be updated.`,
      { binary },
    );
  }
}

export class ComputeHostHasInstances extends Conflict {
  constructor(host: string | null) {
    super(
      'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
      { host },
    );
  }
}

export class HypervisorNotFound extends NotFound {
  constructor(id: string | number) {
    super(`Hypervisor with ID '${id}' could not be found.`, { id });
  }
}

export class NoHypervisorMatches extends NotFound {
  constructor(pattern: string) {
    super(`No hypervisor matching '${pattern}' could be found.`, { pattern });
  }
}

export class ComputeServiceUnavailable extends Invalid {
  constructor(host: string | null) {
    super(`Compute service of ${host ?? 'None'} is unavailable at this time.`, { host });
  }
}

/** The host's driver (or an older compute) cannot tell its uptime (Nova: 501). */
export class UptimeNotImplemented extends NovaError {
  readonly code = 501;
  constructor() {
    super('Virt driver does not implement uptime function.');
  }
}

export class ComputeHostNotFound extends NotFound {
  constructor(host: string) {
    super(`Compute host ${host} could not be found.`, { host });
  }
}

export class MarkerNotFound extends Invalid {
  constructor(marker: string) {
    super(`marker [${marker}] not found`, { marker });
  }
}

/** Only nova-compute services may be enabled, disabled or forced down. */
export function assertUpdatable(binary: string | null): void {
  if (binary !== 'nova-compute') {
    throw new ServiceUpdateNotSupported(binary);
  }
}

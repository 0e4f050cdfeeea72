import { NovaError } from '@nova/common';

/** How many hosts were left after each filter when a request could not be placed. */
export interface FilterCount {
  readonly filter: string;
  readonly hosts: number;
}

/** Nova's NoValidHost: the request cannot be placed; the conductor buries the instance in cell0. */
export class NoValidHost extends NovaError {
  readonly code = 500;

  constructor(
    readonly reason: string,
    /** The filter run that emptied the list (for logs, not for users). */
    readonly filterCounts: readonly FilterCount[] = [],
    /** Index of the instance (within the request) that found no host. */
    readonly instanceIndex = 0,
  ) {
    super(`No valid host was found. ${reason}`, { reason });
  }
}

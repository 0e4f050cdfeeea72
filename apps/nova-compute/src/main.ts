#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { ComputeHosts } from '@nova/cells/compute';
import { getLogger } from '@nova/logging';
import { runService } from '@nova/process';

/**
 * `nova-compute`: the compute hosts of this machine on its cell's queue
 * (`[DEFAULT] transport_url`): `[DEFAULT] host`, or with the fake driver and
 * `[fake_driver] host_count = N > 1` the hosts `<host>-1` ... `<host>-N`. It
 * holds no database credentials and opens no database: heartbeats, resources
 * and instance state go through the cell conductor (dependency-cruiser enforces
 * that this process never imports database code). No Nest container: there is
 * nothing to inject.
 */
void runService({
  name: 'nova-compute',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    const computes = await ComputeHosts.start(config);
    getLogger('nova-compute').info({ hosts: computes.hosts.length }, 'nova-compute ready');
    return { close: () => computes.stop() };
  },
});

#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=32
// A young generation of 32 MiB, not the 1 MiB of the other services. A list's
// objects live for the whole request; with a smaller young generation each
// scavenge copies them and promotes them, and the old space they fill is
// given back and faulted in again. Two API workers with different sizes under
// one alternating load: 8 -> 32 MiB cut the CPU of a 500-server detail list by
// 12-16 % (page faults from ~70-140 to under 15 a request) and of a 50-server
// page by 0-13 %; 16 MiB took 16-20 % more CPU than 32 on the long list and
// 34 MiB less RSS; 64 MiB took the same CPU as 32 and 50 MiB more RSS.
import { availableParallelism } from 'node:os';
import { runService } from '@nova/process';
import type * as ServeApi from './serve-api';

// The application is loaded where it serves: with workers, the primary only
// supervises them and stays ~30 MiB smaller without Nest, TypeORM and the API.
let application: typeof ServeApi | undefined;

void runService({
  name: 'nova-api',
  async start(config) {
    application = await import('./serve-api');
    return application.serveApi(config);
  },
  workers: (config) => config.DEFAULT.osapi_compute_workers ?? availableParallelism(),
  reload: (app) => application?.reloadPolicy(app),
});

#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// A young generation of 8 MiB, not the 1 MiB of the other services: a listing's
// objects then die young instead of being promoted, which in bench:servers cut
// detail latency by a third, raised paged throughput by 40 % and left the
// workers' RSS under load lower, not higher.
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

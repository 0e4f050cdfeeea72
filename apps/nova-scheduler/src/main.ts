#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { CELL_SCHEMA } from '@nova/cells/db';
import { routerService, runService } from '@nova/process';

void runService(routerService('nova-scheduler', CELL_SCHEMA));

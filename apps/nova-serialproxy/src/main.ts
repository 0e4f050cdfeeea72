#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { startConsoleProxyApp } from '@nova/cells/console-proxy';
import { runService } from '@nova/process';

/** `nova-serialproxy`: the WebSocket proxy of serial consoles (`[serial_console] serialproxy_host`:`serialproxy_port`, 6083). */
void runService({
  name: 'nova-serialproxy',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    return startConsoleProxyApp(config, 'serial');
  },
});

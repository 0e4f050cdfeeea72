#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { startConsoleProxyApp } from '@nova/cells/console-proxy';
import { runService } from '@nova/process';

/** `nova-spicehtml5proxy`: the WebSocket proxy of SPICE HTML5 consoles (`[spice] html5proxy_host`:`html5proxy_port`, 6082). */
void runService({
  name: 'nova-spicehtml5proxy',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    return startConsoleProxyApp(config, 'spicehtml5');
  },
});

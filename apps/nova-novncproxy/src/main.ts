#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { startConsoleProxyApp } from '@nova/cells/console-proxy';
import { runService } from '@nova/process';

/** `nova-novncproxy`: the WebSocket proxy of noVNC consoles (`[vnc] novncproxy_host`:`novncproxy_port`, 6080). */
void runService({
  name: 'nova-novncproxy',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    return startConsoleProxyApp(config, 'novnc');
  },
});

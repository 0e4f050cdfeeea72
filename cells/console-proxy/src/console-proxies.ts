import { Inject, Injectable } from '@nestjs/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { CellConsoleTokens } from './cell-tokens';
import { ConsoleProxy } from './console-proxy';

/** The proxies Nova ships, by the console they serve. */
export type ProxyKind = 'novnc' | 'serial' | 'spicehtml5';

/** Each proxy's binary name, listen options and console types (Nova's option names). */
export function proxySettings(
  kind: ProxyKind,
  config: Pick<NovaConfig, 'vnc' | 'serial_console' | 'spice'>,
): { name: string; host: string; port: number; consoleTypes: string[]; enabled: boolean } {
  switch (kind) {
    case 'novnc':
      return {
        name: 'nova-novncproxy',
        host: config.vnc.novncproxy_host,
        port: config.vnc.novncproxy_port,
        consoleTypes: ['novnc'],
        enabled: config.vnc.enabled,
      };
    case 'serial':
      return {
        name: 'nova-serialproxy',
        host: config.serial_console.serialproxy_host,
        port: config.serial_console.serialproxy_port,
        consoleTypes: ['serial'],
        enabled: config.serial_console.enabled,
      };
    case 'spicehtml5':
      return {
        name: 'nova-spicehtml5proxy',
        host: config.spice.html5proxy_host,
        port: config.spice.html5proxy_port,
        consoleTypes: ['spice-html5'],
        enabled: config.spice.enabled,
      };
  }
}

/** Starts and stops console proxies that redeem their tokens in the cell databases. */
@Injectable()
export class ConsoleProxies {
  private readonly running: ConsoleProxy[] = [];

  constructor(
    private readonly tokens: CellConsoleTokens,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /** Listen for one kind of console; resolves with the port. */
  async start(kind: ProxyKind): Promise<number> {
    const settings = proxySettings(kind, this.config);
    const proxy = new ConsoleProxy({
      ...settings,
      allowedOrigins: this.config.console.allowed_origins,
      redeem: (token) => this.tokens.redeem(token),
    });
    const port = await proxy.start();
    this.running.push(proxy);
    return port;
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.splice(0).map((p) => p.stop()));
  }
}

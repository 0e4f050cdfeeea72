import {
  IsArray,
  IsBoolean,
  IsInt,
  IsIP,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { BoolOpt, IntOpt, ListOpt, Section, StrOpt } from '../option.decorator';

/*
 * Remote consoles: Nova's [vnc], [spice], [serial_console], [mks],
 * [consoleauth] and [console] sections, with Nova's names and defaults. The
 * API reads `enabled` and the base URLs when it hands out a console; the
 * proxies listen on their host/port options.
 */

/** A port option (1-65535). */
function port(help: string): PropertyDecorator {
  return (target, key) => {
    IntOpt(help)(target, key);
    IsInt()(target, key);
    Min(1)(target, key);
    Max(65535)(target, key);
  };
}

@Section('vnc')
export class VncOptions {
  @BoolOpt('Enable VNC consoles (remote-consoles protocol vnc, os-getVNCConsole).')
  @IsBoolean()
  enabled: boolean = true;

  @StrOpt(
    'Public URL of the noVNC client page handed to users; the token is added as ' +
      '`?path=%3Ftoken%3D<token>`.',
  )
  @IsString()
  @IsNotEmpty()
  novncproxy_base_url: string = 'http://127.0.0.1:6080/vnc_auto.html';

  @StrOpt('Address nova-novncproxy listens on.')
  @IsIP()
  novncproxy_host: string = '0.0.0.0';

  @port('Port nova-novncproxy listens on.')
  novncproxy_port: number = 6080;

  @StrOpt('Address the guests’ VNC servers listen on (libvirt domain XML).')
  @IsString()
  @IsNotEmpty()
  server_listen: string = '127.0.0.1';

  @StrOpt('Address of this compute host the proxies connect to for its VNC consoles.')
  @IsString()
  @IsNotEmpty()
  server_proxyclient_address: string = '127.0.0.1';
}

@Section('spice')
export class SpiceOptions {
  @BoolOpt('Enable SPICE consoles (remote-consoles protocol spice, os-getSPICEConsole).')
  @IsBoolean()
  enabled: boolean = false;

  @StrOpt('Public URL of the SPICE HTML5 client page; the token is added as `?token=<token>`.')
  @IsString()
  @IsNotEmpty()
  html5proxy_base_url: string = 'http://127.0.0.1:6082/spice_auto.html';

  @StrOpt('Address nova-spicehtml5proxy listens on.')
  @IsIP()
  html5proxy_host: string = '0.0.0.0';

  @port('Port nova-spicehtml5proxy listens on.')
  html5proxy_port: number = 6082;

  @StrOpt('Address of this compute host the proxies connect to for its SPICE consoles.')
  @IsString()
  @IsNotEmpty()
  server_proxyclient_address: string = '127.0.0.1';
}

@Section('serial_console')
export class SerialConsoleOptions {
  @BoolOpt('Enable serial consoles (remote-consoles protocol serial, os-getSerialConsole).')
  @IsBoolean()
  enabled: boolean = false;

  @StrOpt('Public WebSocket URL of nova-serialproxy; the token is added as `?token=<token>`.')
  @IsString()
  @Matches(/^wss?:\/\//, { message: 'must be a ws:// or wss:// URL' })
  base_url: string = 'ws://127.0.0.1:6083/';

  @StrOpt('Address nova-serialproxy listens on.')
  @IsIP()
  serialproxy_host: string = '0.0.0.0';

  @port('Port nova-serialproxy listens on.')
  serialproxy_port: number = 6083;

  @StrOpt('Address of this compute host the proxy connects to for its serial consoles.')
  @IsString()
  @IsNotEmpty()
  proxyclient_address: string = '127.0.0.1';
}

@Section('mks')
export class MksOptions {
  @BoolOpt('Enable MKS consoles (remote-consoles protocol mks, 2.8).')
  @IsBoolean()
  enabled: boolean = false;

  @StrOpt('Public URL of the MKS web console proxy; the token is added as `?token=<token>`.')
  @IsString()
  @IsNotEmpty()
  mksproxy_base_url: string = 'http://127.0.0.1:6090/';
}

@Section('consoleauth')
export class ConsoleAuthOptions {
  @IntOpt('Seconds a console token stays valid (it is also used up by its first connection).')
  @IsInt()
  @Min(0)
  token_ttl: number = 600;
}

@Section('console')
export class ConsoleOptions {
  @ListOpt(
    'Host names a browser’s Origin may name besides the host the proxy was reached at ' +
      '(its Host header).',
  )
  @IsArray()
  @IsString({ each: true })
  allowed_origins: string[] = [];
}

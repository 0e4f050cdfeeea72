import {
  ConsoleUnavailable,
  UnsupportedConsole,
  type ConsoleEndpoint,
  type ConsoleKind,
} from '../virt-driver';

/** The addresses of this host the proxies connect to, per console (Nova's *_proxyclient_address). */
export interface ConsoleProxyClientAddresses {
  readonly vnc: string;
  readonly spice: string;
  readonly serial: string;
}

/** The attributes of an XML start tag (`<graphics type='vnc' port='5900'>`). */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) {
    out[m[1]] = unescapeXml(m[2] ?? m[3] ?? '');
  }
  return out;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The start tags named `name` inside <devices> (libvirt's own XML: no CDATA, no comments there). */
function deviceTags(xml: string, name: string): string[] {
  const devices = /<devices>([\s\S]*?)<\/devices>/.exec(xml)?.[1] ?? '';
  return [...devices.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'g'))].map((m) => m[0]);
}

/** The <serial>/<console> elements with their content (the <source> is inside). */
function deviceElements(xml: string, name: string): string[] {
  const devices = /<devices>([\s\S]*?)<\/devices>/.exec(xml)?.[1] ?? '';
  return [
    ...devices.matchAll(new RegExp(`<${name}\\b[^>]*?(?:/>|>[\\s\\S]*?</${name}>)`, 'g')),
  ].map((m) => m[0]);
}

/** A port libvirt assigned: autoport graphics of a domain that is not running show -1. */
function assignedPort(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) {
    return null;
  }
  const port = Number(value);
  return port > 0 && port < 65536 ? port : null;
}

/**
 * Where the proxies reach a domain's console, read from its live XML as Nova's
 * libvirt driver does: the VNC or SPICE `<graphics>` port (reached at this
 * host's proxy-client address), or the first TCP `<serial>` in bind mode.
 * ConsoleUnavailable when the domain has no such console (or no port yet);
 * UnsupportedConsole for MKS, which libvirt has not.
 */
export function consoleFromDomainXml(
  xml: string,
  kind: ConsoleKind,
  addresses: ConsoleProxyClientAddresses,
): ConsoleEndpoint {
  if (kind === 'mks') {
    throw new UnsupportedConsole(kind);
  }
  if (kind === 'serial') {
    for (const element of [...deviceElements(xml, 'serial'), ...deviceElements(xml, 'console')]) {
      const open = attributes(/^<[^>]*>/.exec(element)?.[0] ?? '');
      const source = attributes(/<source\b[^>]*>/.exec(element)?.[0] ?? '');
      const port = assignedPort(source['service']);
      if (open['type'] === 'tcp' && source['mode'] === 'bind' && port !== null) {
        const host = source['host'];
        return {
          host: !host || host === '0.0.0.0' || host === '::' ? addresses.serial : host,
          port,
          internalAccessPath: null,
        };
      }
    }
    throw new ConsoleUnavailable(kind, 'The domain has no TCP serial port to connect to');
  }
  const graphics = deviceTags(xml, 'graphics')
    .map(attributes)
    .find((a) => a['type'] === kind);
  if (!graphics) {
    throw new ConsoleUnavailable(kind, `The domain has no ${kind} graphics`);
  }
  const port = assignedPort(graphics['port']);
  if (port === null) {
    throw new ConsoleUnavailable(
      kind,
      `The domain's ${kind} graphics have no port (the hypervisor runs no ${kind} server for it)`,
    );
  }
  return { host: addresses[kind], port, internalAccessPath: null };
}

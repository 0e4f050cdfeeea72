import { ConsoleTypeInvalid, ConsoleTypeUnavailable } from '@nova/compute-rpc';
import { consoleAccessUrl, consoleTarget } from './console-access';

const config = {
  vnc: { enabled: true, novncproxy_base_url: 'http://p:6080/vnc_auto.html' },
  spice: { enabled: false, html5proxy_base_url: 'http://p:6082/spice_auto.html' },
  serial_console: { enabled: true, base_url: 'ws://p:6083/' },
  mks: { enabled: false, mksproxy_base_url: 'http://p:6090/' },
} as Parameters<typeof consoleTarget>[0];

describe('console targets and URLs', () => {
  it('maps each protocol to its kind and proxy URL', () => {
    expect(consoleTarget(config, 'vnc', 'novnc')).toEqual({
      kind: 'vnc',
      baseUrl: 'http://p:6080/vnc_auto.html',
    });
    expect(consoleTarget(config, 'serial', 'serial')).toEqual({
      kind: 'serial',
      baseUrl: 'ws://p:6083/',
    });
  });

  it("checks as Nova does: switched off first (Unavailable), then the protocol's types (Invalid)", () => {
    expect(() => consoleTarget(config, 'spice', 'novnc')).toThrow(
      new ConsoleTypeUnavailable('novnc'),
    );
    expect(() => consoleTarget(config, 'vnc', 'xvpvnc')).toThrow(new ConsoleTypeInvalid('xvpvnc'));
    expect(() => consoleTarget(config, 'vnc', 'serial')).toThrow('Invalid console type serial');
    expect(() => consoleTarget(config, 'rdp', 'rdp-html5')).toThrow(
      'Unavailable console type rdp-html5.',
    );
    expect(() => consoleTarget(config, 'mks', 'webmks')).toThrow(
      'Unavailable console type webmks.',
    );
  });

  it("puts noVNC's token in its path parameter and the others' in token", () => {
    expect(consoleAccessUrl('http://p:6080/vnc_auto.html', 'novnc', 'ab-12')).toBe(
      'http://p:6080/vnc_auto.html?path=%3Ftoken%3Dab-12',
    );
    expect(consoleAccessUrl('ws://p:6083/', 'serial', 'ab-12')).toBe('ws://p:6083/?token=ab-12');
  });
});

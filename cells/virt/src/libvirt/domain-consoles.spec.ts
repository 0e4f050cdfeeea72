import { ConsoleUnavailable, UnsupportedConsole } from '../virt-driver';
import { consoleFromDomainXml } from './domain-consoles';

const addresses = { vnc: '10.0.0.5', spice: '10.0.0.6', serial: '10.0.0.7' };

/** A running domain's live XML as libvirt reports it (ports assigned). */
const LIVE = `<domain type='kvm' id='3'>
  <name>instance-00000001</name>
  <devices>
    <disk type='file' device='disk'><source file='/x/disk'/><target dev='vda' bus='virtio'/></disk>
    <serial type='file'><source path='/x/console.log'/><target port='0'/></serial>
    <serial type='tcp'>
      <source mode='bind' host='0.0.0.0' service='10001'/>
      <protocol type='raw'/>
      <target port='1'/>
    </serial>
    <graphics type='spice' port='5901' autoport='yes' listen='0.0.0.0'/>
    <graphics type="vnc" port="5900" autoport="yes" listen="127.0.0.1">
      <listen type='address' address='127.0.0.1'/>
    </graphics>
  </devices>
</domain>`;

describe('consoles in the domain XML', () => {
  it("finds the VNC and SPICE ports, reached at this host's proxy-client address", () => {
    expect(consoleFromDomainXml(LIVE, 'vnc', addresses)).toEqual({
      host: '10.0.0.5',
      port: 5900,
      internalAccessPath: null,
    });
    expect(consoleFromDomainXml(LIVE, 'spice', addresses)).toEqual({
      host: '10.0.0.6',
      port: 5901,
      internalAccessPath: null,
    });
  });

  it('finds the first TCP serial port in bind mode (the file console log is no console)', () => {
    expect(consoleFromDomainXml(LIVE, 'serial', addresses)).toEqual({
      host: '10.0.0.7',
      port: 10001,
      internalAccessPath: null,
    });
    const bound = LIVE.replace(
      "host='0.0.0.0' service='10001'",
      "host='192.0.2.9' service='10002'",
    );
    expect(consoleFromDomainXml(bound, 'serial', addresses).host).toBe('192.0.2.9');
  });

  it('reports a console the domain has not, or whose port was never assigned', () => {
    const noTcp = LIVE.replace(/<serial type='tcp'>[\s\S]*?<\/serial>/, '');
    expect(() => consoleFromDomainXml(noTcp, 'serial', addresses)).toThrow(ConsoleUnavailable);
    // test:///default (or a domain not running) shows autoport graphics without a port.
    const unassigned = LIVE.replace('port="5900"', 'port="-1"');
    expect(() => consoleFromDomainXml(unassigned, 'vnc', addresses)).toThrow(
      "The domain's vnc graphics have no port",
    );
    const noGraphics = LIVE.replace(/<graphics[\s\S]*?<\/graphics>/, '');
    expect(() => consoleFromDomainXml(noGraphics, 'vnc', addresses)).toThrow(
      'The domain has no vnc graphics',
    );
    expect(() => consoleFromDomainXml(LIVE, 'mks', addresses)).toThrow(UnsupportedConsole);
  });
});

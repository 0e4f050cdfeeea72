import { VirtError, type InstanceSpec } from '../virt-driver';
import { buildDomainXml, xmlEscape } from './domain-xml';

const spec: InstanceSpec = {
  uuid: '7b0e2a3e-4b9a-4d65-8a5c-1d2e3f405162',
  name: 'instance-0000002a',
  vcpus: 2,
  memoryMb: 512,
  rootGb: 1,
  ephemeralGb: 0,
  image: { id: 'c2b9ab6e-2a8c-4f0e-9a4e-2f8f3f6a1d11', name: 'cirros', properties: {} },
  networks: [
    { address: '10.0.0.5', mac: 'fa:16:3e:00:00:01' },
    { address: '10.0.1.5', mac: 'fa:16:3e:00:00:02' },
  ],
};
const options = { domainType: 'kvm', instanceDir: '/var/lib/nova/instances/x', network: 'default' };

describe('libvirt domain XML', () => {
  it('escapes the five XML specials', () => {
    expect(xmlEscape(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(xmlEscape(42)).toBe('42');
  });

  it('names the domain and sizes it from the flavor, memory in KiB', () => {
    const xml = buildDomainXml(spec, options);
    expect(xml).toMatch(/^<domain type='kvm'>/);
    expect(xml).toContain('<name>instance-0000002a</name>');
    expect(xml).toContain(`<uuid>${spec.uuid}</uuid>`);
    expect(xml).toContain("<memory unit='KiB'>524288</memory>");
    expect(xml).toContain("<currentMemory unit='KiB'>524288</currentMemory>");
    expect(xml).toContain('<vcpu>2</vcpu>');
    expect(xml).toContain('<type>hvm</type>');
    expect(xml).toContain("<cpu mode='host-model'/>");
    expect(xml).toContain(`<nova:root type='image' uuid='${spec.image.id}'/>`);
  });

  it('adds VNC graphics (autoport, on [vnc] server_listen) only when asked', () => {
    expect(buildDomainXml(spec, options)).not.toContain('<graphics');
    expect(buildDomainXml(spec, { ...options, vncListen: '127.0.0.1' })).toContain(
      "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>",
    );
  });

  it('puts the root disk and the console log in the instance directory', () => {
    const xml = buildDomainXml(spec, options);
    expect(xml).toContain("<source file='/var/lib/nova/instances/x/disk'/>");
    expect(xml).toContain("<target dev='vda' bus='virtio'/>");
    expect(xml).not.toContain('disk.local');
    expect(xml).toContain("<serial type='file'>");
    expect(xml).toContain("<source path='/var/lib/nova/instances/x/console.log'/>");
  });

  it('attaches the config drive as a read-only SATA CD-ROM, after same-named disks', () => {
    const xml = buildDomainXml(spec, { ...options, configDrive: true });
    expect(xml).toContain(
      [
        "    <disk type='file' device='cdrom'>",
        "      <driver name='qemu' type='raw' cache='none'/>",
        "      <source file='/var/lib/nova/instances/x/disk.config'/>",
        "      <target dev='sda' bus='sata'/>",
        '      <readonly/>',
        '    </disk>',
      ].join('\n'),
    );
    expect(buildDomainXml(spec, options)).not.toContain('cdrom');
    const scsi = buildDomainXml(
      { ...spec, ephemeralGb: 1, image: { ...spec.image, properties: { hw_disk_bus: 'scsi' } } },
      { ...options, configDrive: true },
    );
    expect(scsi).toContain("<target dev='sdc' bus='sata'/>"); // after sda (root) and sdb (ephemeral)
    const ide = buildDomainXml(
      { ...spec, image: { ...spec.image, properties: { hw_cdrom_bus: 'ide' } } },
      { ...options, configDrive: true },
    );
    expect(ide).toContain("<target dev='hda' bus='ide'/>");
  });

  it('adds an ephemeral disk and honours hw_disk_bus', () => {
    const xml = buildDomainXml(
      { ...spec, ephemeralGb: 5, image: { ...spec.image, properties: { hw_disk_bus: 'scsi' } } },
      options,
    );
    expect(xml).toContain("<target dev='sda' bus='scsi'/>");
    expect(xml).toContain("<source file='/var/lib/nova/instances/x/disk.local'/>");
    expect(xml).toContain("<target dev='sdb' bus='scsi'/>");
  });

  it('boots a rescue from the rescue disk, the own disks following it', () => {
    const xml = buildDomainXml({ ...spec, ephemeralGb: 1 }, { ...options, rescue: true });
    const disks = [...xml.matchAll(/<source file='([^']+)'\/>\s*<target dev='(\w+)'/g)].map(
      (m) => `${m[2]}=${m[1].split('/').pop()}`,
    );
    expect(disks).toEqual(['vda=disk.rescue', 'vdb=disk', 'vdc=disk.local']);
  });

  it('has one NIC per port, with its MAC, on the configured network', () => {
    const xml = buildDomainXml(spec, { ...options, network: 'br-int' });
    expect(xml.match(/<interface type='network'>/g)).toHaveLength(2);
    expect(xml).toContain("<mac address='fa:16:3e:00:00:01'/>");
    expect(xml).toContain("<mac address='fa:16:3e:00:00:02'/>");
    expect(xml.match(/<source network='br-int'\/>/g)).toHaveLength(2);
    expect(xml.match(/<model type='virtio'\/>/g)).toHaveLength(2);
    expect(buildDomainXml({ ...spec, networks: [] }, options)).not.toContain('<interface');
  });

  it('escapes values users control and ignores unknown device models', () => {
    const xml = buildDomainXml(
      {
        ...spec,
        name: "evil'/><x>&",
        image: {
          id: "img'><boom/>",
          properties: { hw_vif_model: "virtio'/><hack/>", hw_disk_bus: 'floppy' },
        },
        networks: [{ address: '10.0.0.9', mac: "fa:16:3e:00:00:09'/><y/>" }],
      },
      { ...options, instanceDir: "/srv/a'b&c" },
    );
    expect(xml).toContain('<name>evil&apos;/&gt;&lt;x&gt;&amp;</name>');
    expect(xml).toContain("uuid='img&apos;&gt;&lt;boom/&gt;'");
    expect(xml).toContain("<mac address='fa:16:3e:00:00:09&apos;/&gt;&lt;y/&gt;'/>");
    expect(xml).toContain("<source file='/srv/a&apos;b&amp;c/disk'/>");
    expect(xml).toContain("<model type='virtio'/>");
    expect(xml).toContain("bus='virtio'");
    expect(xml).not.toMatch(/<(x|y|boom|hack)\b/);
  });

  it('uses the domain type it is given and no host CPU model outside KVM', () => {
    const xml = buildDomainXml(spec, { ...options, domainType: 'test' });
    expect(xml).toMatch(/^<domain type='test'>/);
    expect(xml).not.toContain('<cpu');
  });

  it('refuses a flavor libvirt cannot size', () => {
    expect(() => buildDomainXml({ ...spec, memoryMb: 0 }, options)).toThrow(VirtError);
    expect(() => buildDomainXml({ ...spec, vcpus: 1.5 }, options)).toThrow(VirtError);
  });
});

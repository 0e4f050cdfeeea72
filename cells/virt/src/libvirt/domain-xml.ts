import { join } from 'node:path';
import { VirtError, type InstanceSpec } from '../virt-driver';

export interface DomainXmlOptions {
  /** <domain type>: kvm, qemu, or test for the test driver. */
  readonly domainType: string;
  /** Where this instance's files live ($state_path/instances/<uuid>). */
  readonly instanceDir: string;
  /** Libvirt network the NICs join. */
  readonly network: string;
  /** A rescue boot: the rescue disk first, the instance's own disks after it (Nova's layout). */
  readonly rescue?: boolean;
  /** Attach the instance's config drive (disk.config) as a read-only CD-ROM. */
  readonly configDrive?: boolean;
  /** VNC graphics listening on this address ([vnc] enabled, server_listen), as Nova adds them. */
  readonly vncListen?: string;
}

/** Files of an instance, named as Nova names them. */
export const InstanceFiles = {
  rootDisk: 'disk',
  ephemeralDisk: 'disk.local',
  consoleLog: 'console.log',
  /** The saved memory image of a suspended instance (our stand-in for managed save). */
  savedImage: 'suspend.save',
  rescueDisk: 'disk.rescue',
  /** The domain XML to go back to on unrescue. */
  unrescueXml: 'unrescue.xml',
  /** The domain XML a cold move's source keeps, to define the guest again on a revert. */
  resizeXml: 'libvirt.xml',
  /** The config drive's ISO9660 image. */
  configDrive: 'disk.config',
} as const;

// Image properties Nova honours for the device model, limited to values libvirt knows.
const DISK_BUSES = ['virtio', 'scsi', 'sata', 'ide', 'usb'] as const;
const VIF_MODELS = ['virtio', 'e1000', 'e1000e', 'rtl8139', 'ne2k_pci', 'pcnet'] as const;
/** CD-ROM buses (hw_cdrom_bus); SATA as Nova's q35 default, which pc machines take too. */
const CDROM_BUSES = ['sata', 'ide', 'scsi', 'usb'] as const;
type DiskBus = (typeof DISK_BUSES)[number];

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for element content and for quoted attributes. */
export function xmlEscape(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

function pick<T extends string>(allowed: readonly T[], value: string | undefined, fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new VirtError(`Invalid ${name} ${value} for a libvirt domain`);
  }
  return value;
}

function diskDev(bus: DiskBus, index: number): string {
  const prefix = bus === 'virtio' ? 'vd' : bus === 'ide' ? 'hd' : 'sd';
  return prefix + String.fromCharCode('a'.charCodeAt(0) + index);
}

function diskXml(file: string, bus: DiskBus, index: number): string {
  return [
    `    <disk type='file' device='disk'>`,
    `      <driver name='qemu' type='qcow2' cache='none'/>`,
    `      <source file='${xmlEscape(file)}'/>`,
    `      <target dev='${diskDev(bus, index)}' bus='${bus}'/>`,
    `    </disk>`,
  ].join('\n');
}

function cdromXml(file: string, bus: DiskBus, dev: string): string {
  return [
    `    <disk type='file' device='cdrom'>`,
    `      <driver name='qemu' type='raw' cache='none'/>`,
    `      <source file='${xmlEscape(file)}'/>`,
    `      <target dev='${dev}' bus='${bus}'/>`,
    `      <readonly/>`,
    `    </disk>`,
  ].join('\n');
}

function nicXml(mac: string, network: string, model: string): string {
  return [
    `    <interface type='network'>`,
    `      <mac address='${xmlEscape(mac)}'/>`,
    `      <source network='${xmlEscape(network)}'/>`,
    `      <model type='${model}'/>`,
    `    </interface>`,
  ].join('\n');
}

/** The libvirt domain XML for an instance, from its flavor, image and ports. */
export function buildDomainXml(spec: InstanceSpec, options: DomainXmlOptions): string {
  const props = spec.image.properties;
  const bus = pick(DISK_BUSES, props.hw_disk_bus, 'virtio');
  const vif = pick(VIF_MODELS, props.hw_vif_model, 'virtio');
  const memoryKib = positiveInt('memory', spec.memoryMb) * 1024;
  const files = [
    ...(options.rescue ? [InstanceFiles.rescueDisk] : []),
    InstanceFiles.rootDisk,
    ...(spec.ephemeralGb > 0 ? [InstanceFiles.ephemeralDisk] : []),
  ];
  const disks = files.map((file, i) => diskXml(join(options.instanceDir, file), bus, i));
  if (options.configDrive) {
    const cdromBus = pick(CDROM_BUSES, props.hw_cdrom_bus, 'sata');
    // After the disks when both buses name devices alike (sda, sdb...), else its bus's first.
    const taken =
      diskDev(cdromBus, 0).slice(0, 2) === diskDev(bus, 0).slice(0, 2) ? files.length : 0;
    disks.push(
      cdromXml(
        join(options.instanceDir, InstanceFiles.configDrive),
        cdromBus,
        diskDev(cdromBus, taken),
      ),
    );
  }
  const consoleLog = xmlEscape(join(options.instanceDir, InstanceFiles.consoleLog));
  return [
    `<domain type='${xmlEscape(options.domainType)}'>`,
    `  <name>${xmlEscape(spec.name)}</name>`,
    `  <uuid>${xmlEscape(spec.uuid)}</uuid>`,
    `  <metadata>`,
    `    <nova:instance xmlns:nova='http://openstack.org/xmlns/libvirt/nova/1.1'>`,
    `      <nova:root type='image' uuid='${xmlEscape(spec.image.id)}'/>`,
    `    </nova:instance>`,
    `  </metadata>`,
    `  <memory unit='KiB'>${memoryKib}</memory>`,
    `  <currentMemory unit='KiB'>${memoryKib}</currentMemory>`,
    `  <vcpu>${positiveInt('vcpus', spec.vcpus)}</vcpu>`,
    `  <os>`,
    `    <type>hvm</type>`,
    `    <boot dev='hd'/>`,
    `  </os>`,
    // ACPI lets a clean shutdown (power off, soft reboot) reach the guest.
    `  <features><acpi/><apic/></features>`,
    ...(options.domainType === 'kvm' ? [`  <cpu mode='host-model'/>`] : []),
    `  <clock offset='utc'/>`,
    `  <on_poweroff>destroy</on_poweroff>`,
    `  <on_reboot>restart</on_reboot>`,
    `  <on_crash>destroy</on_crash>`,
    `  <devices>`,
    ...disks,
    ...spec.networks.map((n) => nicXml(n.mac, options.network, vif)),
    `    <serial type='file'>`,
    `      <source path='${consoleLog}'/>`,
    `      <target port='0'/>`,
    `    </serial>`,
    ...(options.vncListen
      ? [`    <graphics type='vnc' autoport='yes' listen='${xmlEscape(options.vncListen)}'/>`]
      : []),
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
}

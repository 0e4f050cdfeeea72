import { makeHost, makeSpec } from '../testing/fixtures';
import { ImagePropertiesFilter, versionSatisfies } from './image-properties.filter';

const image = (properties: Record<string, string>) => makeSpec({ image: { properties } });
const passes = (props: Record<string, string>, host = makeHost('kvm')) =>
  ImagePropertiesFilter.hostPasses(host, image(props));

describe('ImagePropertiesFilter', () => {
  const multi = makeHost('multi', {
    supportedInstances: [
      { arch: 'x86_64', hvType: 'kvm', vmMode: 'hvm' },
      { arch: 'i686', hvType: 'qemu', vmMode: 'hvm' },
      { arch: 'aarch64', hvType: 'qemu', vmMode: 'hvm' },
    ],
    hypervisorVersion: 6_002_001,
  });

  it('passes every host for an image without such properties', () => {
    expect(passes({})).toBe(true);
    expect(passes({}, makeHost('none', { supportedInstances: [] }))).toBe(true);
  });

  it('matches architecture, hypervisor type and vm mode as one supported instance', () => {
    expect(
      passes({ hw_architecture: 'x86_64', img_hv_type: 'kvm', hw_vm_mode: 'hvm' }, multi),
    ).toBe(true);
    expect(passes({ hw_architecture: 'aarch64' }, multi)).toBe(true);
    expect(passes({ hw_architecture: 'ppc64le' }, multi)).toBe(false);
    // Each of them is supported, but not together.
    expect(passes({ hw_architecture: 'aarch64', img_hv_type: 'kvm' }, multi)).toBe(false);
    expect(passes({ hw_vm_mode: 'xen' }, multi)).toBe(false);
  });

  it('does not mistake object property names for aliases', () => {
    expect(passes({ hw_architecture: 'constructor' }, multi)).toBe(false);
    expect(passes({ img_hv_type: 'toString' }, multi)).toBe(false);
  });

  it('drops hosts that report no supported instances when the image asks for any', () => {
    expect(passes({ img_hv_type: 'qemu' }, makeHost('none', { supportedInstances: [] }))).toBe(
      false,
    );
  });

  it('reads the legacy property names too', () => {
    expect(passes({ architecture: 'aarch64' }, multi)).toBe(true);
    expect(passes({ hypervisor_type: 'xen' }, multi)).toBe(false);
    expect(passes({ vm_mode: 'hvm' }, multi)).toBe(true);
    expect(passes({ hypervisor_version_requires: '>=7.0' }, multi)).toBe(false);
  });

  it('canonicalizes names: case, amd64, i386, xapi, hv/pv', () => {
    expect(passes({ hw_architecture: 'AMD64' }, multi)).toBe(true);
    expect(passes({ hw_architecture: 'i386' }, multi)).toBe(true);
    expect(passes({ img_hv_type: 'KVM' }, multi)).toBe(true);
    expect(passes({ hw_vm_mode: 'hv' }, multi)).toBe(true);
    const xen = makeHost('xen', {
      supportedInstances: [{ arch: 'x86_64', hvType: 'xen', vmMode: 'xen' }],
    });
    expect(passes({ img_hv_type: 'xapi', hw_vm_mode: 'pv' }, xen)).toBe(true);
  });

  it('checks img_hv_requested_version against the hypervisor version', () => {
    expect(passes({ img_hv_requested_version: '>=6.0' }, multi)).toBe(true);
    expect(passes({ img_hv_requested_version: '>=6.3' }, multi)).toBe(false);
    expect(passes({ img_hv_requested_version: '>6.0, <6.3' }, multi)).toBe(true);
    expect(passes({ img_hv_requested_version: '!=6.2.1' }, multi)).toBe(false);
  });

  it('does not hold back a host that reports no hypervisor version', () => {
    const unknown = makeHost('u', { hypervisorVersion: null });
    expect(passes({ img_hv_requested_version: '>=99' }, unknown)).toBe(true);
  });
});

describe('versionSatisfies', () => {
  it.each([
    [8_000_000, '>=8', true],
    [8_000_000, '>=8.0.1', false],
    [8_000_000, '>7.9', true],
    [8_000_000, '<8', false],
    [8_000_000, '<=8.0.0', true],
    [8_000_000, '==8.0', true],
    [8_000_000, '=8', true],
    [8_000_000, '8.0.0', true],
    [8_000_000, '!=8.0', false],
    [6_002_000, '>6.1, <6.3', true],
    [6_003_000, '>6.1, <6.3', false],
    [8_000_000, 'latest', false],
    [8_000_000, '>=', false],
  ])('%d meets %j: %s', (version, req, expected) => {
    expect(versionSatisfies(version, req)).toBe(expected);
  });
});

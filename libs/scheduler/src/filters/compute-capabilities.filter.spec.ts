import { makeHost, makeSpec, resource } from '../testing/fixtures';
import { ComputeCapabilitiesFilter } from './compute-capabilities.filter';
import { hostCapability } from './host-capabilities';

const withSpecs = (extra_specs: Record<string, string>) => makeSpec({ flavor: { extra_specs } });

describe('ComputeCapabilitiesFilter', () => {
  const host = makeHost('h1', {
    hypervisorType: 'QEMU',
    hypervisorVersion: 8_000_000,
    cpuInfo: {
      arch: 'x86_64',
      vendor: 'Intel',
      features: ['aes', 'sse2', 'vmx'],
      topology: { cores: 4 },
    },
    resources: {
      VCPU: resource(8, 2, { allocationRatio: 4 }),
      MEMORY_MB: resource(16384, 4096),
      DISK_GB: resource(100, 10),
    },
    instances: ['a', 'b'],
  });
  const passes = (specs: Record<string, string>) =>
    ComputeCapabilitiesFilter.hostPasses(host, withSpecs(specs));

  it('passes a flavor without extra specs', () => {
    expect(passes({})).toBe(true);
  });

  it('matches scoped capabilities with the operators', () => {
    expect(passes({ 'capabilities:hypervisor_type': 's== QEMU' })).toBe(true);
    expect(passes({ 'capabilities:hypervisor_type': 's== KVM' })).toBe(false);
    expect(passes({ 'capabilities:hypervisor_version': '>= 7000000' })).toBe(true);
    expect(passes({ 'capabilities:vcpus_total': '>= 16' })).toBe(false);
    expect(passes({ 'capabilities:free_ram_mb': '>= 12288' })).toBe(true);
    expect(passes({ 'capabilities:free_ram_mb': '> 12288' })).toBe(false); // ">" is no operator: literal
    expect(passes({ 'capabilities:free_disk_mb': '== 92160' })).toBe(true);
    expect(passes({ 'capabilities:num_instances': '<= 2' })).toBe(true);
    expect(passes({ 'capabilities:cpu_allocation_ratio': '== 4' })).toBe(true);
  });

  it('walks into nested capabilities such as cpu_info', () => {
    expect(passes({ 'capabilities:cpu_info:arch': 'x86_64' })).toBe(true);
    expect(passes({ 'capabilities:cpu_info:features': '<in> aes' })).toBe(true);
    expect(passes({ 'capabilities:cpu_info:features': '<all-in> aes vmx' })).toBe(true);
    expect(passes({ 'capabilities:cpu_info:features': '<all-in> aes avx512f' })).toBe(false);
    expect(passes({ 'capabilities:cpu_info:topology:cores': '>= 4' })).toBe(true);
    expect(passes({ 'capabilities:cpu_info:vendor': '<or> AMD <or> Intel' })).toBe(true);
  });

  it('fails the host on an unknown capability or key', () => {
    expect(passes({ 'capabilities:no_such_thing': 'x' })).toBe(false);
    expect(passes({ 'capabilities:cpu_info:nope': 'x' })).toBe(false);
    expect(passes({ 'capabilities:hypervisor_type:deeper': 'x' })).toBe(false);
  });

  it('checks unscoped keys as capabilities too', () => {
    expect(passes({ hypervisor_type: 'QEMU' })).toBe(true);
    expect(passes({ hypervisor_type: 'xen' })).toBe(false);
    expect(passes({ some_unknown_key: 'x' })).toBe(false);
  });

  it('ignores keys of other scopes', () => {
    expect(
      passes({
        'hw:cpu_policy': 'dedicated',
        'aggregate_instance_extra_specs:ssd': 'true',
        'resources:VCPU': '2',
        'trait:HW_CPU_X86_AVX2': 'required',
      }),
    ).toBe(true);
  });

  it('needs every spec to match', () => {
    expect(
      passes({ 'capabilities:hypervisor_type': 'QEMU', 'capabilities:vcpus_total': '= 8' }),
    ).toBe(true);
    expect(
      passes({ 'capabilities:hypervisor_type': 'QEMU', 'capabilities:vcpus_total': '= 9' }),
    ).toBe(false);
  });

  it('sees a host with no cpu_info as lacking nested keys', () => {
    const bare = makeHost('bare', { cpuInfo: null });
    expect(
      ComputeCapabilitiesFilter.hostPasses(
        bare,
        withSpecs({ 'capabilities:cpu_info:arch': 'x86_64' }),
      ),
    ).toBe(false);
  });
});

describe('hostCapability', () => {
  it("exposes Nova's HostState names", () => {
    const h = makeHost('h1', { nodename: 'n1' });
    expect(hostCapability(h, ['host'])).toBe('h1');
    expect(hostCapability(h, ['hypervisor_hostname'])).toBe('n1');
    expect(hostCapability(h, ['supported_instances'])).toEqual([['x86_64', 'qemu', 'hvm']]);
    expect(hostCapability(h, ['vcpus_used'])).toBe(0);
    expect(hostCapability(h, [])).toBeUndefined();
    expect(hostCapability(h, ['toString'])).toBeUndefined();
  });
});

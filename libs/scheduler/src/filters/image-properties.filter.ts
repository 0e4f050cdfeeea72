import type { HostState, SupportedInstance } from '../host-state';
import { hostFilter } from './host-filter';

/** Image properties, current name first, then the legacy one Nova still reads. */
const ARCH = ['hw_architecture', 'architecture'];
const HV_TYPE = ['img_hv_type', 'hypervisor_type'];
const VM_MODE = ['hw_vm_mode', 'vm_mode'];
const HV_VERSION = ['img_hv_requested_version', 'hypervisor_version_requires'];

type Aliases = ReadonlyMap<string, string>;
const ARCH_ALIASES: Aliases = new Map([
  ['i386', 'i686'],
  ['i486', 'i686'],
  ['i586', 'i686'],
  ['x86_32', 'i686'],
  ['x86_32p', 'i686'],
  ['amd64', 'x86_64'],
]);
const HV_TYPE_ALIASES: Aliases = new Map([['xapi', 'xen']]);
const VM_MODE_ALIASES: Aliases = new Map([
  ['pv', 'xen'],
  ['hv', 'hvm'],
  ['baremetal', 'hvm'],
]);

function property(props: Readonly<Record<string, string>>, names: string[]): string | undefined {
  for (const name of names) {
    const value = props[name]?.trim();
    if (value) {
      return value;
    }
  }
  return undefined;
}

function canonical(value: string | undefined, aliases: Aliases): string | undefined {
  const lower = value?.toLowerCase();
  return lower === undefined ? undefined : (aliases.get(lower) ?? lower);
}

/** Nova's integer hypervisor version (major * 10^6 + minor * 10^3 + patch) as parts. */
export function versionParts(version: number): number[] {
  return [Math.floor(version / 1_000_000), Math.floor(version / 1000) % 1000, version % 1000];
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

const VERSION_OPS = new Map<string, (cmp: number) => boolean>([
  ['>=', (c) => c >= 0],
  ['<=', (c) => c <= 0],
  ['>', (c) => c > 0],
  ['<', (c) => c < 0],
  ['==', (c) => c === 0],
  ['=', (c) => c === 0],
  ['!=', (c) => c !== 0],
]);

/**
 * Whether a hypervisor version meets a requirement such as ">=6.0",
 * ">6.0, <6.2" or "!=6.1" (every comma-separated clause must hold). A
 * requirement we cannot read is met by no host.
 */
export function versionSatisfies(hostVersion: number, requirement: string): boolean {
  const host = versionParts(hostVersion);
  return requirement.split(',').every((clause) => {
    const m = /^\s*(>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)*)\s*$/.exec(clause);
    if (!m) {
      return false;
    }
    const wanted = m[2].split('.').map(Number);
    return (VERSION_OPS.get(m[1] ?? '==') as (c: number) => boolean)(compareParts(host, wanted));
  });
}

function supports(
  host: HostState,
  want: { arch?: string; hvType?: string; vmMode?: string },
): boolean {
  const matches = (s: SupportedInstance) =>
    (!want.arch || canonical(s.arch, ARCH_ALIASES) === want.arch) &&
    (!want.hvType || canonical(s.hvType, HV_TYPE_ALIASES) === want.hvType) &&
    (!want.vmMode || canonical(s.vmMode, VM_MODE_ALIASES) === want.vmMode);
  return host.supportedInstances.some(matches);
}

/**
 * Nova's ImagePropertiesFilter: the host supports the image's architecture
 * (hw_architecture), hypervisor type (img_hv_type) and VM mode (hw_vm_mode) as
 * one of its supported_instances, and its hypervisor version meets
 * img_hv_requested_version (a host that reports no version is not held back).
 * An image asking for none of these passes everywhere.
 */
export const ImagePropertiesFilter = hostFilter({
  name: 'ImagePropertiesFilter',
  runOncePerRequest: true,
  runOnRebuild: true,
  prepare: (spec) => {
    const props = spec.image.properties;
    const want = {
      arch: canonical(property(props, ARCH), ARCH_ALIASES),
      hvType: canonical(property(props, HV_TYPE), HV_TYPE_ALIASES),
      vmMode: canonical(property(props, VM_MODE), VM_MODE_ALIASES),
    };
    const typed = !!(want.arch || want.hvType || want.vmMode);
    const required = property(props, HV_VERSION);
    if (!typed && !required) {
      return null;
    }
    return (host) =>
      (!typed || supports(host, want)) &&
      (!required ||
        host.hypervisorVersion === null ||
        versionSatisfies(host.hypervisorVersion, required));
  },
});

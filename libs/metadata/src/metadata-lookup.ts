import { userDataBytes, type GuestInstance, type MetadataOptions } from './guest';
import { ec2Version, isDir, renderEc2, type Ec2Value } from './ec2-tree';
import { openstackJson, versionEntries } from './openstack-tree';
import { EC2_VERSIONS, GRIZZLY, OPENSTACK_VERSIONS, atLeast, resolveVersion } from './versions';

/** What a path of the metadata service answers. */
export type MetadataAnswer =
  | {
      readonly kind: 'data';
      readonly body: string | Buffer;
      readonly contentType: 'text/plain' | 'application/json';
    }
  /** The password handler: GET reads it, the guest POSTs it once. */
  | { readonly kind: 'password' };

const text = (body: string | Buffer): MetadataAnswer => ({
  kind: 'data',
  body,
  contentType: 'text/plain',
});

/**
 * A request path as Nova reads it: normalized (`.`, `..`, repeated and trailing
 * slashes), and anything not under /openstack is the EC2 tree (`/latest/...`
 * is `/ec2/latest/...`; `/` is `/ec2`).
 */
export function pathTokens(path: string): string[] {
  const parts = normalizedParts(path);
  if (parts[0] === 'ec2' || parts[0] === 'openstack') {
    return parts;
  }
  return ['ec2', ...parts];
}

/** The path's segments after normalization (none for `/`), query string dropped. */
function normalizedParts(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('?')[0].split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      parts.pop();
    } else {
      parts.push(decodeSafe(part));
    }
  }
  return parts;
}

function decodeSafe(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The listing of `/` (EC2 versions), which needs no instance. */
export function rootListing(): string {
  return [...EC2_VERSIONS, 'latest'].join('\n');
}

/** Whether the path is the service's root (answered before the guest is identified). */
export function isRoot(path: string): boolean {
  return normalizedParts(path).length === 0;
}

/**
 * What `path` answers for `guest`, or null (404). `address` is the requester's
 * (EC2's local-ipv4 of a guest without a fixed IPv4).
 */
export function lookupMetadata(
  guest: GuestInstance,
  path: string,
  options: MetadataOptions,
  address: string | null = null,
): MetadataAnswer | null {
  const tokens = pathTokens(path);
  return tokens[0] === 'openstack'
    ? openstackItem(guest, tokens.slice(1), options)
    : ec2Item(guest, tokens.slice(1), options, address);
}

function openstackItem(
  guest: GuestInstance,
  tokens: readonly string[],
  options: MetadataOptions,
): MetadataAnswer | null {
  if (tokens.length === 0) {
    return text([...OPENSTACK_VERSIONS, 'latest'].join('\n'));
  }
  const version = resolveVersion(OPENSTACK_VERSIONS, tokens[0]);
  if (!version) {
    return null; // also /openstack/content: personality files are on config drives only
  }
  const userData = userDataBytes(guest);
  const file = tokens.slice(1).join('/');
  if (file === '') {
    return text(versionEntries(version, userData !== null).join('\n'));
  }
  if (file === 'user_data') {
    return userData ? text(userData) : null;
  }
  if (file === 'password') {
    return atLeast(OPENSTACK_VERSIONS, version, GRIZZLY) ? { kind: 'password' } : null;
  }
  const json = openstackJson(guest, version, file, options);
  return json === undefined
    ? null
    : { kind: 'data', body: JSON.stringify(json), contentType: 'application/json' };
}

function ec2Item(
  guest: GuestInstance,
  tokens: readonly string[],
  options: MetadataOptions,
  address: string | null,
): MetadataAnswer | null {
  if (tokens.length === 0) {
    return text(rootListing());
  }
  const version = resolveVersion(EC2_VERSIONS, tokens[0]);
  if (!version) {
    return null;
  }
  let value: Ec2Value = ec2Version(guest, version, options, address);
  for (const token of tokens.slice(1)) {
    const child: Ec2Value | undefined =
      isDir(value) && token !== '_name' ? value[token] : undefined;
    if (child === undefined) {
      return null;
    }
    value = child;
  }
  return text(renderEc2(value));
}

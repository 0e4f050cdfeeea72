import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { uuidLike } from '../../http/uuid-like';

/** jsonschema's "uuid" format as Nova checks it (oslo's is_uuid_like). */
export function isUuidFormat(value: string): boolean {
  return uuidLike(value) !== null;
}

export function isIpv4Format(value: string): boolean {
  return isIPv4(value);
}

/** IPv6 without a zone index (jsonschema rejects scoped addresses). */
export function isIpv6Format(value: string): boolean {
  return !value.includes('%') && isIPv6(value);
}

const B64 = /[A-Za-z0-9+/]/;

/**
 * Python's lenient base64.decodebytes: characters outside the alphabet are
 * skipped, a complete pad ends the data, and the data must end on a quad.
 */
export function isBase64Format(value: string): boolean {
  let quad = 0;
  let pads = 0;
  for (const ch of value) {
    if (ch === '=') {
      pads += 1;
      if (quad >= 2 && quad + pads >= 4) {
        return true;
      }
      continue;
    }
    if (!B64.test(ch)) {
      continue;
    }
    pads = 0;
    quad = (quad + 1) % 4;
  }
  return quad === 0;
}

/** Nova's "name" format: printable, no leading or trailing whitespace. */
export const NAME_FORMAT = /^(?!\s)[^\p{Cc}]*(?<!\s)$/u;
export const INVALID_NAME_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.";

/** Descriptions: printable characters (control characters are refused). */
export const DESCRIPTION_FORMAT = /^[^\p{Cc}]*$/u;

/** parameter_types.tag: no commas or slashes. */
export const TAG_PATTERN = '^[^,/]*$';

/** parameter_types.fqdn (compute host and node names). */
export const FQDN_PATTERN = '^[a-zA-Z0-9-._]*$';

/** 2.90 hostname: RFC 1123 labels (letters, digits, inner hyphens), 2-63 characters. */
export const HOSTNAME_PATTERN = '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$';

/** Server metadata keys (parameter_types.metadata's property pattern). */
export const METADATA_KEY_PATTERN = '^[a-zA-Z0-9-_:. ]{1,255}$';

/** The id at the end of a reference that may be a URL (Nova's get_id_from_href). */
export function idFromHref(ref: string | number): string {
  const text = String(ref);
  const path = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)
    ? new URL(text).pathname
    : text.split(/[?#]/)[0];
  return path.split('/').pop() ?? '';
}

/**
 * An IPv6 address in its canonical text (RFC 5952: lower case, zeros
 * compressed, an embedded IPv4 tail in hex), as Nova stores and shows
 * accessIPv6; the long spellings would not even fit its 39-character column.
 */
export function canonicalIpv6(value: string): string {
  return ipaddr.IPv6.parse(value).toString();
}

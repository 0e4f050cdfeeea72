/**
 * oslo's uuidutils.is_uuid_like, returning the canonical lowercase, dashed form
 * (or null): 32 hex digits, dashes anywhere, optional braces and `urn:`/`uuid:`.
 */
export function uuidLike(text: string): string | null {
  const hex = text
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '');
  const digits = hex.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(digits)) {
    return null;
  }
  return [
    digits.slice(0, 8),
    digits.slice(8, 12),
    digits.slice(12, 16),
    digits.slice(16, 20),
    digits.slice(20),
  ].join('-');
}

/**
 * Items per slice of a long list: a slice's JSON stays far below the size
 * (128 KiB) at which V8 puts a string in its large-object space.
 */
const SLICE = 32;

/**
 * The JSON of a response body, as JSON.stringify writes it.
 *
 * A body with a long list (`{"servers": [...500 servers]}`) is written
 * slice by slice into one Buffer. JSON.stringify of the whole body gives a
 * string that is flattened on first use, and again when Node prepends the
 * HTTP head, each copy a large object on fresh pages: with this platform's
 * page faults those copies took a third of the CPU of a 500-server detail
 * list. A slice's text is young-generation garbage; the Buffer is the one
 * large allocation, and Node writes it without re-encoding.
 */
export function jsonBody(payload: unknown): string | Buffer {
  if (!hasLongList(payload)) {
    return JSON.stringify(payload);
  }
  const parts: string[] = ['{'];
  for (const [key, value] of Object.entries(payload)) {
    const text = isLongList(value) ? sliced(value) : jsonOf(value);
    if (text === undefined) {
      continue; // as JSON.stringify leaves out a member whose value has no JSON
    }
    parts.push(parts.length > 1 ? ',' : '', JSON.stringify(key), ':', ...text);
  }
  parts.push('}');
  const body = Buffer.allocUnsafe(parts.reduce((n, part) => n + Buffer.byteLength(part), 0));
  let at = 0;
  for (const part of parts) {
    at += body.write(part, at);
  }
  return body;
}

/** A plain object (JSON.stringify would not call a toJSON of its own) holding a list worth slicing. */
function hasLongList(payload: unknown): payload is Record<string, unknown> {
  if (payload === null || typeof payload !== 'object') {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(payload);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in payload) {
    return false;
  }
  return Object.values(payload).some(isLongList);
}

function isLongList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > SLICE;
}

function jsonOf(value: unknown): string[] | undefined {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? undefined : [text];
}

/** `[a,b,...]` as its slices' JSON, each without its own brackets. */
function sliced(list: readonly unknown[]): string[] {
  const out = ['['];
  for (let i = 0; i < list.length; i += SLICE) {
    const text = JSON.stringify(list.slice(i, i + SLICE));
    out.push(i > 0 ? ',' : '', text.slice(1, -1));
  }
  out.push(']');
  return out;
}

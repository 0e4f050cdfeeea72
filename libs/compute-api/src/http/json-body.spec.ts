import { jsonBody } from './json-body';

/** What a client reads: the body's text. */
function text(body: string | Buffer): string {
  return typeof body === 'string' ? body : body.toString('utf8');
}

describe('jsonBody', () => {
  const server = (i: number) => ({
    id: `id-${i}`,
    name: i % 7 === 0 ? `naïve ☃ ${i}` : `s${i}`,
    gone: undefined,
    metadata: { k: 'v"\\\n' },
    created: new Date(Date.UTC(2026, 11, 7, 0, 0, i % 60)),
    flavor: { id: '1', links: [] },
  });

  it('writes a long list in slices, byte for byte what JSON.stringify writes', () => {
    for (const count of [33, 64, 65, 500]) {
      const payload = {
        servers: Array.from({ length: count }, (_, i) => server(i)),
        skipped: undefined,
        servers_links: [{ rel: 'next', href: 'http://x/servers?marker=a&limit=1' }],
      };
      const body = jsonBody(payload);
      expect(Buffer.isBuffer(body)).toBe(true);
      expect(text(body)).toBe(JSON.stringify(payload));
      expect((body as Buffer).length).toBe(Buffer.byteLength(JSON.stringify(payload)));
    }
  });

  it('keeps holes and undefined items of a list as null, as JSON.stringify does', () => {
    const list: unknown[] = Array.from({ length: 40 }, (_, i) => (i % 3 ? i : undefined));
    list[45] = 'after a hole';
    const payload = { items: list, fn: () => 1 };
    expect(text(jsonBody(payload))).toBe(JSON.stringify(payload));
  });

  it('leaves a body without a long list, or not a plain object, to JSON.stringify', () => {
    const short = { servers: [server(1), server(2)] };
    expect(jsonBody(short)).toBe(JSON.stringify(short));
    const long = Array.from({ length: 100 }, (_, i) => i);
    expect(jsonBody(long)).toBe(JSON.stringify(long));
    const own = { items: long, toJSON: () => ({ replaced: true }) };
    expect(jsonBody(own)).toBe('{"replaced":true}');
    class Listing {
      items = long;
    }
    expect(jsonBody(new Listing())).toBe(JSON.stringify(new Listing()));
    expect(jsonBody(null)).toBe('null');
    expect(jsonBody('text')).toBe('"text"');
  });
});

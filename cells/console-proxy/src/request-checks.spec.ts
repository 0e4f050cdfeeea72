import { originProblem, tokenOf } from './request-checks';

describe('console proxy request checks', () => {
  it("finds the token where Nova's proxies look", () => {
    expect(tokenOf('/?token=abc', undefined)).toBe('abc');
    // noVNC opens the WebSocket at the `path` parameter of the page URL.
    expect(tokenOf('/vnc_auto.html?path=%3Ftoken%3Dxyz', undefined)).toBe('xyz');
    expect(tokenOf('/websockify', 'lang=en; token=from-cookie')).toBe('from-cookie');
    expect(tokenOf('/', undefined)).toBeNull();
  });

  it('lets non-browsers through and checks a browser Origin against Host and allowed_origins', () => {
    const base = 'http://console.example.org:6080/vnc_auto.html';
    expect(originProblem({ host: '127.0.0.1:6080' }, base, [])).toBeNull();
    expect(originProblem({ host: 'proxy:6080', origin: 'http://proxy:6080' }, base, [])).toBeNull();
    expect(originProblem({ host: 'proxy:6080', origin: 'http://evil.test' }, base, [])).toBe(
      'Origin header does not match this host.',
    );
    expect(
      originProblem({ host: 'proxy:6080', origin: 'http://portal.test' }, base, ['portal.test']),
    ).toBeNull();
    expect(originProblem({ host: '[::1]:6080', origin: 'http://[::1]:6080' }, base, [])).toBeNull();
    expect(originProblem({ host: 'proxy', origin: 'not a url' }, base, [])).toBe(
      'Origin header not valid.',
    );
  });

  it('wants the scheme of the console URL (ws and http alike), or X-Forwarded-Proto', () => {
    const serial = 'ws://proxy:6083/';
    const headers = { host: 'proxy:6083', origin: 'https://proxy:6083' };
    expect(originProblem(headers, serial, [])).toBe(
      'Origin header protocol does not match this host.',
    );
    expect(originProblem({ ...headers, origin: 'http://proxy:6083' }, serial, [])).toBeNull();
    expect(originProblem({ ...headers, 'x-forwarded-proto': 'http' }, serial, [])).toBeNull();
    expect(originProblem(headers, 'wss://proxy:6083/', [])).toBeNull();
  });
});

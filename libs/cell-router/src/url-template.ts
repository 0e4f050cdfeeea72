/**
 * Nova's templated cell-mapping URLs: `{scheme}`, `{username}`, `{password}`,
 * `{hostname}`, `{port}`, `{path}`, `{query}`, `{fragment}` (and `{username1}`,
 * `{hostname2}`... per host of a multi-host URL) are filled from the local
 * config's own URL, so each service host can use its own credentials.
 */
export function formatCellUrl(template: string, base: string | undefined): string {
  if (!template.includes('{')) {
    return template;
  }
  if (!base) {
    throw new Error('the URL is a template, but the local option it is filled from is not set');
  }
  const vars = urlVariables(base);
  return template.replace(/\{([a-z]+[0-9]*)\}/g, (whole, name: string) => {
    const value = vars.get(name);
    if (value === undefined) {
      throw new Error(`unknown variable ${whole} in URL template`);
    }
    return value;
  });
}

function urlVariables(url: string): Map<string, string> {
  const vars = new Map<string, string>();
  const sep = url.indexOf('://');
  vars.set('scheme', sep < 0 ? '' : url.slice(0, sep));
  let rest = sep < 0 ? url : url.slice(sep + 3);
  const hash = rest.indexOf('#');
  vars.set('fragment', hash < 0 ? '' : rest.slice(hash + 1));
  rest = hash < 0 ? rest : rest.slice(0, hash);
  const q = rest.indexOf('?');
  vars.set('query', q < 0 ? '' : rest.slice(q + 1));
  rest = q < 0 ? rest : rest.slice(0, q);
  const slash = rest.indexOf('/');
  vars.set('path', slash < 0 ? '' : rest.slice(slash + 1));
  const netloc = slash < 0 ? rest : rest.slice(0, slash);

  netloc.split(',').forEach((host, i) => {
    const at = host.lastIndexOf('@');
    const creds = at < 0 ? '' : host.slice(0, at);
    const hostPort = at < 0 ? host : host.slice(at + 1);
    const colon = creds.indexOf(':');
    const portMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    const parts: Record<string, string> = {
      username: colon < 0 ? creds : creds.slice(0, colon),
      password: colon < 0 ? '' : creds.slice(colon + 1),
      hostname: portMatch?.[1] ?? hostPort,
      port: portMatch?.[2] ?? '',
    };
    for (const [key, value] of Object.entries(parts)) {
      vars.set(`${key}${i + 1}`, value);
      if (i === 0) {
        vars.set(key, value);
      }
    }
  });
  return vars;
}

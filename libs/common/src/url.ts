/**
 * URL helpers for the SQLAlchemy / oslo.messaging style URLs Nova stores in config
 * and cell mappings (`mysql+pymysql://u:p@h/db`, `rabbit://u:p@h:5672/vhost`).
 */

/**
 * Replace the password of every `user:password@host` in a URL with `****`, as
 * Nova's list_cells does, but host by host: a multi-host transport URL keeps all
 * its hosts (Nova's regex swallows all but the last).
 */
export function maskUrl(url: string | null | undefined): string {
  if (!url) {
    return '';
  }
  const schemeEnd = url.indexOf('://');
  const start = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const at = url.lastIndexOf('@');
  if (at < start) {
    return url;
  }
  const slash = url.indexOf('/', at);
  const end = slash < 0 ? url.length : slash;
  const hosts = url
    .slice(start, end)
    .split(/,(?=[^,@]*@)/) // split before each further "user:pass@host"
    .map((host) => {
      const hostAt = host.lastIndexOf('@');
      const colon = host.indexOf(':');
      return hostAt > 0 && colon >= 0 && colon < hostAt
        ? `${host.slice(0, colon)}:****${host.slice(hostAt)}`
        : host;
    });
  return `${url.slice(0, start)}${hosts.join(',')}${url.slice(end)}`;
}

/** The scheme of a URL (`mysql+pymysql`), lower-cased, or '' when there is none. */
export function urlScheme(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return match?.[1] ? match[1].toLowerCase() : '';
}

import type { FastifyRequest } from 'fastify';

export interface Link {
  readonly rel: string;
  readonly href: string;
  readonly type?: string;
}

/** Where links point: `[api] compute_link_prefix`, else the URL the request came in on. */
export function baseUrl(req: FastifyRequest, prefix: string | undefined): string {
  if (prefix) {
    return prefix.replace(/\/+$/, '');
  }
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

/** `/{project_id}` when the request URL carried one. */
function projectPart(req: FastifyRequest): string {
  const project = (req.params as Record<string, string | undefined>)['project_id'];
  return project ? `/${project}` : '';
}

/** Nova's self and bookmark links of a resource. */
export function resourceLinks(
  req: FastifyRequest,
  prefix: string | undefined,
  collection: string,
  id: string | number,
): Link[] {
  const base = baseUrl(req, prefix);
  const project = projectPart(req);
  return [
    { rel: 'self', href: `${base}/v2.1${project}/${collection}/${id}` },
    { rel: 'bookmark', href: `${base}${project}/${collection}/${id}` },
  ];
}

/**
 * The `next` link of a full page: the same path and query, with `marker` set to
 * the last item (query parameters sorted, as Nova writes them).
 */
export function nextLink(
  req: FastifyRequest,
  prefix: string | undefined,
  marker: string | number,
): Link {
  const [path] = req.url.split('?');
  const params = new URLSearchParams(
    req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '',
  );
  params.set('marker', String(marker));
  params.sort();
  return { rel: 'next', href: `${baseUrl(req, prefix)}${path ?? ''}?${params.toString()}` };
}

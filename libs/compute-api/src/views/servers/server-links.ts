import type { FastifyRequest } from 'fastify';
import { baseUrl, type Link } from '../../http/links';

/** Where a server view points: the server's own links and the bookmarks of its image and flavor. */
export interface ServerLinks {
  /** self and bookmark. */
  server(uuid: string): Link[];
  image(id: string): string;
  flavor(id: string): string;
}

/**
 * Links as Nova writes them for a request: self under /v2.1, bookmarks without
 * the version, `/{project_id}` kept when the URL had one; image bookmarks use
 * `glancePrefix` (Nova's [api] glance_link_prefix) when given.
 */
export function serverLinksFor(
  req: FastifyRequest,
  computePrefix: string | undefined,
  glancePrefix?: string,
): ServerLinks {
  const project = (req.params as Record<string, string | undefined> | undefined)?.['project_id'];
  return linksFromBase(baseUrl(req, computePrefix), project, glancePrefix);
}

/** The same from a base URL (tests, or callers without a request). */
export function linksFromBase(
  base: string,
  projectId?: string,
  glancePrefix?: string,
): ServerLinks {
  const project = projectId ? `/${projectId}` : '';
  const imageBase = glancePrefix ? glancePrefix.replace(/\/+$/, '') : base;
  return {
    server: (uuid) => [
      { rel: 'self', href: `${base}/v2.1${project}/servers/${uuid}` },
      { rel: 'bookmark', href: `${base}${project}/servers/${uuid}` },
    ],
    image: (id) => `${imageBase}${project}/images/${id}`,
    flavor: (id) => `${base}${project}/flavors/${id}`,
  };
}

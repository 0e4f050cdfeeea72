import type { UnknownServer } from '@nova/servers';
import { isoTime } from './formatting';
import type { ServerViewContext } from './server.view';

/**
 * 2.69+: a server of a cell that did not answer, from what the API database
 * knows. Lists show id, status UNKNOWN and links (detail adds tenant_id and
 * created); GET /servers/{id} also shows what the request spec records when
 * `flavor` is set (missing AZ and user read "UNKNOWN").
 */
export function unknownServerView(
  server: UnknownServer,
  ctx: ServerViewContext,
): Record<string, unknown> {
  if (ctx.shape === 'brief') {
    return { id: server.uuid, status: 'UNKNOWN', links: ctx.links.server(server.uuid) };
  }
  const view: Record<string, unknown> = {
    id: server.uuid,
    status: 'UNKNOWN',
    tenant_id: server.project_id,
    created: server.created_at ? isoTime(server.created_at) : null,
    links: ctx.links.server(server.uuid),
  };
  const f = server.flavor;
  if (ctx.shape === 'detail' || f === undefined) {
    return view;
  }
  view['image'] = server.image_ref
    ? {
        id: server.image_ref,
        links: [{ rel: 'bookmark', href: ctx.links.image(server.image_ref) }],
      }
    : '';
  view['flavor'] = ctx.version.atLeast('2.47')
    ? {
        vcpus: f.vcpus,
        ram: f.memory_mb,
        disk: f.root_gb,
        ephemeral: f.ephemeral_gb,
        swap: f.swap,
        original_name: f.name,
        ...(ctx.flavorExtraSpecs ? { extra_specs: f.extra_specs } : {}),
      }
    : { id: f.flavorid, links: [{ rel: 'bookmark', href: ctx.links.flavor(f.flavorid) }] };
  view['OS-EXT-AZ:availability_zone'] = server.availability_zone || 'UNKNOWN';
  // Nothing reports the power state of an unreachable server: NOSTATE.
  view['OS-EXT-STS:power_state'] = 0;
  view['user_id'] = server.user_id || 'UNKNOWN';
  if (ctx.version.atLeast('2.71')) {
    view['server_groups'] = ctx.serverGroups ?? [];
  }
  return view;
}

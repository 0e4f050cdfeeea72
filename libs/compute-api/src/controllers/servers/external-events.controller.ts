import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { describeError, NotFound, type RequestContext } from '@nova/common';
import { getLogger } from '@nova/logging';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServersPort } from '@nova/servers';
import { parseExternalEvents } from '../../dto/server-external-events.dto';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { FloatingAddresses } from '../network/floating-addresses';
import { isUnknownServer } from './server-lookup';

const log = getLogger('api.external-events');

/**
 * POST /os-server-external-events (Neutron and Cinder tell us what happened
 * to a server's ports and volumes): each event goes to its server's host; a
 * server not found is code 404, one without a host 422. 200 when every event
 * was taken, 207 when some were not, 404 when none was.
 */
@Controller(apiPaths('os-server-external-events'))
export class ExternalEventsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
    private readonly floatingAddresses: FloatingAddresses,
  ) {}

  @Post()
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.policy.authorize(ctx, 'os_compute_api:os-server-external-events:create');
    const events = parseExternalEvents(body, v);
    // The events are the service's to tell, whatever project owns the server.
    const admin = { ...ctx, isAdmin: true };
    const results = await Promise.all(
      events.map(async (event) => {
        const status = event.status ?? 'completed';
        const answer = (code: number, outcome: string) => ({
          name: event.name,
          server_uuid: event.server_uuid,
          status: outcome,
          code,
          ...(event.tag !== undefined ? { tag: event.tag } : {}),
        });
        let server;
        try {
          server = await this.servers.get(admin, event.server_uuid);
        } catch (err) {
          if (err instanceof NotFound) {
            return answer(404, 'failed');
          }
          throw err;
        }
        if (isUnknownServer(server)) {
          return answer(422, 'failed');
        }
        if (event.name === 'network-changed') {
          // The host is told even when Neutron cannot be asked now; the next event refreshes.
          await this.floatingAddresses
            .refresh(admin, server)
            .catch((err: unknown) =>
              log.warn(
                { err: describeError(err), server: server.uuid },
                'floating IPs not refreshed',
              ),
            );
        }
        const taken = await this.servers.externalEvent(admin, server, {
          name: event.name,
          serverUuid: server.uuid,
          status,
          tag: event.tag ?? null,
        });
        return taken ? answer(200, status) : answer(422, 'failed');
      }),
    );
    if (results.every((r) => r.code === 404)) {
      throw new NotFound('No instances found for any event');
    }
    await reply.code(results.every((r) => r.code === 200) ? 200 : 207).send({ events: results });
  }
}

import { Catch, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getLogger } from '@nova/logging';
import { fault, faultFor } from './faults';
import type { RouteTable } from './route-table';
import { sendFault } from './send-fault';

const log = getLogger('nova-api');

/** Every error a handler raises renders as Nova's fault body; unexpected ones are logged 500s. */
@Catch()
export class FaultFilter implements ExceptionFilter {
  constructor(private readonly routes: RouteTable) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = req.nova?.requestId ?? 'unknown';
    if (error instanceof NotFoundException && /^Cannot [A-Z]+ /.test(error.message)) {
      // Nest's "no route": another method may serve this path.
      const allowed = this.routes.allowed(req.url);
      sendFault(
        reply,
        allowed.length > 0
          ? fault(405, 'The method specified is not allowed for this resource.', {
              Allow: allowed.join(', '),
            })
          : fault(404, 'The resource could not be found.'),
      );
      return;
    }
    const { fault: f, unexpected } = faultFor(error, requestId);
    if (unexpected) {
      const err = error as Error;
      log.error({ requestId, err: err?.message, stack: err?.stack }, 'unexpected API error');
    }
    sendFault(reply, f);
  }
}

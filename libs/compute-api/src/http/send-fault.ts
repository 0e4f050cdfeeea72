import type { FastifyReply } from 'fastify';
import type { Fault } from './faults';

/** Nova's fault body, content type and any extra headers. */
export function sendFault(reply: FastifyReply, f: Fault): FastifyReply {
  for (const [name, value] of Object.entries(f.headers ?? {})) {
    reply.header(name, value);
  }
  return reply.code(f.status).type('application/json; charset=UTF-8').send(f.body);
}

import { Body, Controller, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServerOperation, type ServerRecord, type ServersPort } from '@nova/servers';
import { parseServerAction, type ServerAction } from '../../dto/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { findServer } from './server-lookup';

/** Each action's policy rule, and whether it targets the owner user as well (Nova's targets). */
const POLICIES: Record<ServerAction['action'], { rule: string; withUser: boolean }> = {
  reboot: { rule: 'os_compute_api:servers:reboot', withUser: false },
  'os-stop': { rule: 'os_compute_api:servers:stop', withUser: true },
  'os-start': { rule: 'os_compute_api:servers:start', withUser: true },
  pause: { rule: 'os_compute_api:os-pause-server:pause', withUser: true },
  unpause: { rule: 'os_compute_api:os-pause-server:unpause', withUser: true },
  suspend: { rule: 'os_compute_api:os-suspend-server:suspend', withUser: true },
  resume: { rule: 'os_compute_api:os-suspend-server:resume', withUser: true },
  lock: { rule: 'os_compute_api:os-lock-server:lock', withUser: true },
  unlock: { rule: 'os_compute_api:os-lock-server:unlock', withUser: false },
  'os-getConsoleOutput': { rule: 'os_compute_api:os-console-output', withUser: false },
};

const UNLOCK_OVERRIDE = 'os_compute_api:os-lock-server:unlock:unlock_override';

/**
 * POST /servers/{id}/action: the body names the action (parseServerAction:
 * 400 malformed or unknown, 404 outside its microversions, 501 for Nova
 * actions not carried out here); then the lookup, the action's policy on the
 * server, and the port. State and lock checks (409) are the port's.
 */
@Controller(apiPaths('servers/:server_id/action'))
export class ServerActionsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Post()
  async act(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const action = parseServerAction(body, v);
    const server = await findServer(this.servers, ctx, id);
    const { rule, withUser } = POLICIES[action.action];
    this.policy.authorize(ctx, rule, {
      project_id: server.project_id,
      ...(withUser ? { user_id: server.user_id } : {}),
    });
    if (action.action === 'os-getConsoleOutput') {
      const output = await this.servers.consoleOutput(ctx, server, action.length);
      await reply.code(200).send({ output: withoutControlCharacters(output) });
      return;
    }
    if (action.action === 'lock') {
      await this.servers.setLock(ctx, server, { locked: true, reason: action.reason });
    } else if (action.action === 'unlock') {
      this.checkUnlock(ctx, server);
      await this.servers.setLock(ctx, server, { locked: false });
    } else {
      await this.servers.operate(ctx, server, operationOf(action), { isAdmin: ctx.isAdmin });
    }
    await reply.code(202).send();
  }

  /** Unlocking a lock someone else's role set (owner vs admin) needs the override policy. */
  private checkUnlock(ctx: RequestContext, server: ServerRecord): void {
    const expected = server.project_id === ctx.projectId ? 'owner' : 'admin';
    if (server.locked_by && server.locked_by !== expected) {
      this.policy.authorize(ctx, UNLOCK_OVERRIDE, { project_id: server.project_id });
    }
  }
}

function operationOf(
  action: Exclude<ServerAction, { action: 'lock' | 'unlock' | 'os-getConsoleOutput' }>,
): ServerOperation {
  switch (action.action) {
    case 'reboot':
      return { kind: 'reboot', type: action.type };
    case 'os-stop':
      return { kind: 'stop' };
    case 'os-start':
      return { kind: 'start' };
    case 'pause':
    case 'unpause':
    case 'suspend':
    case 'resume':
      return { kind: action.action };
  }
}

/** Nova drops the C0 control characters other than tab and newline from console output. */
function withoutControlCharacters(text: string): string {
  return [...text]
    .filter((c) => {
      const code = c.charCodeAt(0);
      return !(code <= 0x08 || (code >= 0x0b && code <= 0x1f));
    })
    .join('');
}

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { POLICY_KEY, PUBLIC_KEY, VERSIONS_KEY, type VersionBounds } from './route-meta';

/**
 * Checks every route before its handler: the microversion range it exists in,
 * the project id in the URL (when given) against the token's, and its policy rule.
 */
@Injectable()
export class RouteGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: PolicyEnforcer,
  ) {}

  canActivate(host: ExecutionContext): boolean {
    const targets = [host.getHandler(), host.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const req = host
      .switchToHttp()
      .getRequest<FastifyRequest & { params: Record<string, string> }>();
    const bounds = this.reflector.getAllAndOverride<VersionBounds | undefined>(
      VERSIONS_KEY,
      targets,
    );
    if (bounds && !req.nova.version.within(bounds.min, bounds.max)) {
      throw new NotFound('The resource could not be found.');
    }
    const ctx = req.nova.ctx;
    if (!ctx) {
      throw new Error('authenticated route without a request context');
    }
    const urlProject = req.params.project_id;
    if (urlProject !== undefined && ctx.projectId !== null && urlProject !== ctx.projectId) {
      throw new Invalid(
        `Malformed request URL: URL's project_id '${urlProject}' doesn't match Context's project_id '${ctx.projectId}'`,
      );
    }
    const rule = this.reflector.get<string | undefined>(POLICY_KEY, host.getHandler());
    if (rule) {
      this.policy.authorize(ctx, rule);
    }
    return true;
  }
}

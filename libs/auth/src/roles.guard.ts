import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@app/http';
import { AuthenticatedRequest, ROLES_KEY } from './auth.decorators';
import type { Role } from './roles';

/** Global, after authentication: a route with @Roles(...) answers 403 to every other role. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!allowed) return true;
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (user && allowed.includes(user.role)) return true;
    throw new ProblemException(HttpStatus.FORBIDDEN, `This action is for the ${allowed.join(' or ')} role; you are signed in as ${user?.role ?? 'nobody'}.`);
  }
}

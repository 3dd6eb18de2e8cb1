import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@app/http';
import { isPermitted, Permission, PERMISSIONS } from './access-policy';
import { ANY_SIGNED_IN_USER, AuthenticatedRequest, IS_PUBLIC_KEY, PERMISSION_KEY } from './auth.decorators';

/**
 * Global, after authentication. Deny by default: a route must be @Public, @AnySignedInUser or name a
 * permission, and only the roles the access policy lists for that permission get through.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission | typeof ANY_SIGNED_IN_USER | undefined>(PERMISSION_KEY, targets);
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!permission) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'This route declares no permission, so nobody may call it.');
    }
    if (user && (permission === ANY_SIGNED_IN_USER || isPermitted(user.role, permission))) return true;
    const allowed = permission === ANY_SIGNED_IN_USER ? [] : PERMISSIONS[permission];
    throw new ProblemException(HttpStatus.FORBIDDEN, `This action is for the ${allowed.join(' or ')} role; you are signed in as ${user?.role ?? 'nobody'}.`, {
      title: 'Forbidden',
    });
  }
}

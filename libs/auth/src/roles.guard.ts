import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@app/http';
import { decideAccess, Permission, PERMISSIONS } from './access-policy';
import { ALLOWED_BEFORE_PASSWORD_CHANGE_KEY, ANY_SIGNED_IN_USER, AuthenticatedRequest, IS_PUBLIC_KEY, PERMISSION_KEY } from './auth.decorators';

/**
 * Global, after authentication. Deny by default: a route must be @Public, @AnySignedInUser or name a
 * permission, and only the callers the access policy lets through (`decideAccess`) get through.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission | typeof ANY_SIGNED_IN_USER | undefined>(PERMISSION_KEY, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const user = request.user;
    if (!permission) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'This route declares no permission, so nobody may call it.');
    }
    const allowedBeforePasswordChange = this.reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PASSWORD_CHANGE_KEY, targets) ?? false;
    const decision = user
      ? decideAccess({ role: user.role, mustChangePassword: request.mustChangePassword ?? false }, { permission, allowedBeforePasswordChange })
      : 'role-not-permitted';
    if (decision === 'allowed') return true;
    if (decision === 'password-change-required') {
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        'An admin reset your password: choose a new one with POST /auth/password {currentPassword, newPassword} first. Until then only GET /auth/me and POST /auth/password work.',
        { title: 'Password change required' },
      );
    }
    const allowed = permission === ANY_SIGNED_IN_USER ? [] : PERMISSIONS[permission];
    throw new ProblemException(HttpStatus.FORBIDDEN, `This action is for the ${allowed.join(' or ')} role; you are signed in as ${user?.role ?? 'nobody'}.`, {
      title: 'Forbidden',
    });
  }
}

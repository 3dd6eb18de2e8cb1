import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedUser } from '@app/domain';
import type { Permission } from './access-policy';

export const IS_PUBLIC_KEY = 'auth:isPublic';
export const PERMISSION_KEY = 'auth:permission';
/** The permission value of @AnySignedInUser(): any valid token will do. */
export const ANY_SIGNED_IN_USER = 'any-signed-in-user';

export const ALLOWED_BEFORE_PASSWORD_CHANGE_KEY = 'auth:allowedBeforePasswordChange';

/**
 * The request carries the authenticated user once the authentication guard let it through, and whether
 * the user must change its password first (read from its row on every request).
 */
export type AuthenticatedRequest = Request & { user?: AuthenticatedUser; mustChangePassword?: boolean };

/** No token needed (login, health, the public notices). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** Only the roles `PERMISSIONS[permission]` lists may call the route; others get 403. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator => SetMetadata(PERMISSION_KEY, permission);

/** Every signed-in user may call the route (what it returns may still be scoped by the access policy). */
export const AnySignedInUser = (): MethodDecorator & ClassDecorator => SetMetadata(PERMISSION_KEY, ANY_SIGNED_IN_USER);

/** A user whose password an admin reset may call the route before choosing a new password (only /auth/me and /auth/password). */
export const AllowedBeforePasswordChange = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_BEFORE_PASSWORD_CHANGE_KEY, true);

/** The signed-in user of the request (the authentication guard guarantees one on non-public routes). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new Error('@CurrentUser() used on a route without an authenticated user (is it @Public()?)');
  return user;
});

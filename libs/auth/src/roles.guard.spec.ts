import { Controller, ExecutionContext, Get, HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedUser, Role } from '@app/domain';
import { AllowedBeforePasswordChange, AnySignedInUser, Public, RequirePermission } from './auth.decorators';
import { RolesGuard } from './roles.guard';

@Controller()
class ProbeController {
  @Get() undeclared(): void {}
  @Get() @Public() open(): void {}
  @Get() @AnySignedInUser() anyone(): void {}
  @Get() @RequirePermission('extensions.decide') decide(): void {}
  @Get() @AnySignedInUser() @AllowedBeforePasswordChange() changePassword(): void {}
}

function contextFor(handler: keyof ProbeController, role?: Role, mustChangePassword = false): ExecutionContext {
  const user: AuthenticatedUser | undefined = role ? { id: 'u', username: role, role, companyId: role === 'crew' ? 'c' : null } : undefined;
  return {
    getHandler: () => ProbeController.prototype[handler],
    getClass: () => ProbeController,
    switchToHttp: () => ({ getRequest: () => ({ user, mustChangePassword }) }),
  } as unknown as ExecutionContext;
}

/** Deny by default: a route gets through only by saying who it is for. */
describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());
  const statusOf = (handler: keyof ProbeController, role?: Role, mustChangePassword = false): number => {
    try {
      return guard.canActivate(contextFor(handler, role, mustChangePassword)) ? 200 : 0;
    } catch (error) {
      return (error as HttpException).getStatus();
    }
  };

  it('refuses a route that declares no permission, even to an admin', () => {
    expect(statusOf('undeclared', 'admin')).toBe(403);
    expect(statusOf('undeclared', 'supervisor')).toBe(403);
  });

  it('lets anyone through a public route, and every signed-in role through @AnySignedInUser', () => {
    expect(statusOf('open')).toBe(200);
    for (const role of ['admin', 'operator', 'crew', 'supervisor'] as const) expect(statusOf('anyone', role)).toBe(200);
  });

  it('lets through only the roles of the permission', () => {
    expect(statusOf('decide', 'supervisor')).toBe(200);
    expect(statusOf('decide', 'operator')).toBe(403);
    expect(statusOf('decide', 'admin')).toBe(403);
  });

  it('lets a user whose password was reset only through the routes allowed before a password change', () => {
    expect(statusOf('changePassword', 'operator', true)).toBe(200);
    expect(statusOf('anyone', 'operator', true)).toBe(403);
    expect(statusOf('decide', 'supervisor', true)).toBe(403);
    expect(statusOf('open', undefined, true)).toBe(200);
    expect(statusOf('decide', 'supervisor', false)).toBe(200);
  });
});

import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthenticatedUser } from '@app/domain';
import { AllowedBeforePasswordChange, AnySignedInUser, CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto } from './dto/account.dto';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { mapUser, UserDto } from './dto/user.dto';
import { LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_USERNAME, LOGIN_WINDOW_SECONDS, LoginThrottledException } from './login-throttle.service';
import { UsersService } from './users.service';

const THROTTLED = `More than ${LOGIN_FAILURES_PER_USERNAME} failed sign-ins for this username (from any address), or ${LOGIN_FAILURES_PER_ADDRESS} from this address (for any usernames), within ${LOGIN_WINDOW_SECONDS} s; see Retry-After.`;

/** Sends a throttled attempt's Retry-After; the problem itself is written by the global filter. */
async function withRetryAfter<T>(response: Response, answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof LoginThrottledException) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    throw error;
  }
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: a bearer token for `Authorization: Bearer <accessToken>`' })
  @ApiOkResponse({ type: LoginResponseDto, description: 'mustChangePassword: true after an admin reset the password.' })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field.' })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password, or a deactivated user (the same answer for all three).' })
  @ApiTooManyRequestsResponse({ description: THROTTLED })
  login(@Body() dto: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginResponseDto> {
    return withRetryAfter(response, this.auth.login(dto, request.ip));
  }

  @Get('me')
  @AnySignedInUser()
  @AllowedBeforePasswordChange()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user’s own record (never the password hash)' })
  @ApiOkResponse({ type: UserDto })
  @ApiUnauthorizedResponse({ description: 'No valid token, or a token revoked by a change of the account.' })
  async me(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return mapUser(await this.users.get(user.id));
  }

  @Post('password')
  @AnySignedInUser()
  @AllowedBeforePasswordChange()
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change the signed-in user’s password',
    description:
      'Also the way out of an admin’s reset. Every earlier token of the user stops working, the one of this request too; the answer carries a new token, as a sign-in does.',
  })
  @ApiOkResponse({ type: LoginResponseDto, description: 'A new token; mustChangePassword is false.' })
  @ApiBadRequestResponse({
    description: 'Problem details naming the field: currentPassword is wrong, or newPassword breaks a rule (too short, too common, built from the username, the same as now). Nothing changed.',
  })
  @ApiUnauthorizedResponse({ description: 'No valid token, or a token revoked by a change of the account.' })
  @ApiConflictResponse({ description: 'The password was changed or reset meanwhile; nothing changed.' })
  @ApiTooManyRequestsResponse({ description: `Wrong current passwords count as failed sign-ins. ${THROTTLED}` })
  changePassword(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<LoginResponseDto> {
    return withRetryAfter(response, this.auth.changePassword(user, dto, request.ip));
  }
}

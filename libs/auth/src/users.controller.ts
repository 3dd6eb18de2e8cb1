import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { RequirePermission } from './auth.decorators';
import { NoBodyDto, PasswordResetDto, UpdateUserDto } from './dto/account.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { mapUser, UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

const ID = new ParseUUIDPipe();

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: 'Only admins manage users.' })
@RequirePermission('users.manage')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user (admin); crew users need their companyId' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({
    description:
      'Problem details naming each bad field (e.g. companyId missing for crew, or given for another role; a password that is too short, too common or built from the username).',
  })
  @ApiConflictResponse({ description: 'The username is taken.' })
  @ApiUnprocessableEntityResponse({ description: 'companyId names no company.' })
  async create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return mapUser(await this.users.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List users (admin), without password hashes' })
  @ApiOkResponse({ type: [UserDto] })
  async list(): Promise<UserDto[]> {
    return (await this.users.list()).map(mapUser);
  }

  @Patch(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Change a user (admin): active, role, companyId, displayName',
    description:
      'A crew user keeps a company and every other role has none, so a role change usually sends companyId too. A change of role, company or active revokes the user’s tokens at once, on every replica.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field, or no field sent. Nothing changed.' })
  @ApiNotFoundResponse({ description: 'No such user.' })
  @ApiConflictResponse({ description: 'The change would leave no active admin.' })
  @ApiUnprocessableEntityResponse({ description: 'Role and company do not fit (crew without a company, or another role with one), or companyId names no company.' })
  async update(@Param('id', ID) id: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return mapUser(await this.users.update(id, dto));
  }

  @Post(':id/password-reset')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Reset a user’s password (admin) to a one-time password, shown once',
    description:
      'The user’s earlier tokens stop working. At the next sign-in the answer says mustChangePassword: true, and that token may call only GET /auth/me and POST /auth/password until the user chooses a new password.',
  })
  @ApiOkResponse({ type: PasswordResetDto })
  @ApiBadRequestResponse({ description: 'A body was sent (none is taken), or the id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No such user.' })
  async resetPassword(@Param('id', ID) id: string, @Body() _body: NoBodyDto): Promise<PasswordResetDto> {
    const { user, oneTimePassword } = await this.users.resetPassword(id);
    return { userId: user.id, username: user.username, oneTimePassword, mustChangePassword: user.mustChangePassword };
  }
}

import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { RequirePermission } from './auth.decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { mapUser, UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

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
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field (e.g. companyId missing for crew, or given for another role).' })
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
}

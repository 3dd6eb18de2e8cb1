import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AnySignedInUser, CurrentUser, RequirePermission } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { CompaniesService } from './companies.service';
import { CompanyDto, mapCompany } from './dto/company.dto';
import { CreateCompanyDto } from './dto/create-company.dto';
import { UpdateCompanyDto } from './dto/update-company.dto';

@ApiTags('companies')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@Controller('companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Post()
  @RequirePermission('companies.manage')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a heating company and the districts it serves (admin)' })
  @ApiCreatedResponse({ type: CompanyDto })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field.' })
  @ApiForbiddenResponse({ description: 'Only admins register companies.' })
  @ApiConflictResponse({ description: 'The code is taken.' })
  async create(@Body() dto: CreateCompanyDto): Promise<CompanyDto> {
    return mapCompany(await this.companies.create(dto));
  }

  @Patch(':id')
  @RequirePermission('companies.manage')
  @ApiOperation({
    summary: 'Rename a company, change its districts, or (de)activate it (admin)',
    description: 'An inactive company gets no routed or dispatched ticket; its open tickets stay there (GET /tickets?companyActive=false&open=true) until reassigned.',
  })
  @ApiOkResponse({ type: CompanyDto, description: 'The company after the change.' })
  @ApiBadRequestResponse({ description: 'Problem details naming each bad field (the code cannot change).' })
  @ApiForbiddenResponse({ description: 'Only admins change companies.' })
  @ApiNotFoundResponse({ description: 'No such company.' })
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateCompanyDto): Promise<CompanyDto> {
    return mapCompany(await this.companies.update(id, dto));
  }

  @Get()
  @AnySignedInUser()
  @ApiOperation({ summary: 'List companies (a crew user sees only its own)' })
  @ApiOkResponse({ type: [CompanyDto] })
  async list(@CurrentUser() user: AuthenticatedUser): Promise<CompanyDto[]> {
    return (await this.companies.listVisibleTo(user)).map(mapCompany);
  }
}

import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnySignedInUser, CurrentUser, RequirePermission } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { IndoorStandardDto, IndoorStandardTermsDto } from './dto/indoor-standard.dto';
import { IndoorStandardService } from './indoor-standard.service';

/** The indoor temperature standard (室温标准, domain.md §3): 18 °C in 卧室 and 起居室 by default, with its refund tiers. */
@ApiTags('sla')
@ApiBearerAuth()
@Controller('indoor-standard')
export class IndoorStandardController {
  constructor(private readonly standards: IndoorStandardService) {}

  @Get()
  @AnySignedInUser()
  @ApiOperation({ summary: 'The newest version of the indoor temperature standard (°C, the rooms it applies to, refund tiers)' })
  @ApiOkResponse({ type: IndoorStandardDto })
  current(): Promise<IndoorStandardDto> {
    return this.standards.currentDto();
  }

  @Put()
  @RequirePermission('sla.manage')
  @ApiOperation({ summary: 'Store a new version of the standard: tickets created from now on are judged by it; tickets in flight keep theirs' })
  @ApiOkResponse({ type: IndoorStandardDto })
  @ApiBadRequestResponse({ description: 'A bad body (°C outside 10–30, unknown room types, tiers out of order or not ending open); nothing stored.' })
  put(@Body() body: IndoorStandardTermsDto, @CurrentUser() user: AuthenticatedUser): Promise<IndoorStandardDto> {
    return this.standards.storeVersion(body, user.username);
  }
}

import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AnySignedInUser, CurrentUser, RequirePermission } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { SeasonDatesDto, SeasonDto } from './dto/season.dto';
import { SeasonsService } from './seasons.service';

/** The heating season (供暖季, domain.md §3): statutory 11-15 → 03-15, moved by the city each year. */
@ApiTags('sla')
@ApiBearerAuth()
@Controller('seasons')
export class SeasonsController {
  constructor(private readonly seasons: SeasonsService) {}

  @Get()
  @AnySignedInUser()
  @ApiOperation({ summary: 'The stored heating seasons, and the current (or next) one even when not stored (then the statutory 11-15 → 03-15)' })
  @ApiOkResponse({ type: [SeasonDto] })
  list(): Promise<SeasonDto[]> {
    return this.seasons.list();
  }

  @Put(':season')
  @RequirePermission('seasons.manage')
  @ApiParam({ name: 'season', example: '2026-2027' })
  @ApiOperation({ summary: 'Set a heating season’s first and last day (Asia/Shanghai, inclusive); reports take them for `season=`' })
  @ApiOkResponse({ type: SeasonDto })
  @ApiBadRequestResponse({ description: 'A bad season name, or dates not a day of its first (starts) or second (ends) year; nothing stored.' })
  put(@Param('season') season: string, @Body() body: SeasonDatesDto, @CurrentUser() user: AuthenticatedUser): Promise<SeasonDto> {
    return this.seasons.put(season, body, user.username);
  }
}

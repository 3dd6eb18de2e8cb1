import { Controller, Get, Header, Headers, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '@app/auth';
import { SeasonsService } from '@app/sla';
import { csvDownload, wantsCsv } from './csv';
import { HotspotsDto, HotspotsQueryDto, NearbyDto, NearbyQueryDto } from './hotspot.dto';
import { csvFilename, HOTSPOTS_CSV, hotspotCsvRows } from './report-csv';
import { reportRangeFor } from './report-range';
import { HotspotsService } from './hotspots.service';

/**
 * Hot spots (热点, domain.md §2.6): the supervisors' ranking of communities and buildings, and the operator's
 * look-up of the caller's building while the call is taken (片区停热). The look-up lives under /hotspots: a
 * path under /tickets would be taken by GET /tickets/{id}.
 */
@ApiTags('hotspots')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or bad token.' })
@Controller()
export class HotspotsController {
  constructor(
    private readonly hotspots: HotspotsService,
    private readonly seasons: SeasonsService,
  ) {}

  @Get('reports/hotspots')
  @RequirePermission('reports.performance')
  @Header('Vary', 'Accept')
  @ApiOperation({ summary: 'Top communities (小区) and buildings (楼栋) by tickets created in [from, to), or by repeat calls on them, with suspected outages (片区停热)' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: HotspotsDto, description: 'JSON, or CSV (UTF-8 with BOM) when `Accept: text/csv`: communities, then buildings.' })
  @ApiBadRequestResponse({ description: 'Bad from/to (not a date, not from < to, longer than 366 days), a bad season (malformed, or with from/to), by or limit.' })
  @ApiForbiddenResponse({ description: 'Not a supervisor or admin.' })
  async report(
    @Query() query: HotspotsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HotspotsDto | string> {
    const range = await reportRangeFor(query, this.seasons);
    const report = await this.hotspots.report(range, query.by, query.limit);
    return wantsCsv(accept) ? csvDownload(response, csvFilename('hotspots', range), HOTSPOTS_CSV, hotspotCsvRows(report)) : report;
  }

  @Get('hotspots/nearby')
  @RequirePermission('tickets.nearby')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Tickets from the building an address names, created in the last hour: called by the operator’s form while the address is typed (片区停热)',
    description: 'No caller data: ticket ids, numbers, categories, statuses and instants only. `suspectedOutage` says a ticket created now would be one.',
  })
  @ApiOkResponse({ type: NearbyDto })
  @ApiBadRequestResponse({ description: 'A missing or bad district or address, naming the field.' })
  @ApiForbiddenResponse({ description: 'Not an operator or supervisor.' })
  nearby(@Query() query: NearbyQueryDto): Promise<NearbyDto> {
    return this.hotspots.nearby(query.district, query.address);
  }
}

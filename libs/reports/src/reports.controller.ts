import { Controller, Get, Header, Headers, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { companyFilterFor, CurrentUser, RequirePermission, phoneVisibilityFor, Public } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { SeasonsService } from '@app/sla';
import { COMPANY_REPORT_CSV, csvFilename, OVERDUE_CSV } from './report-csv';
import { csvDownload, wantsCsv } from './csv';
import { CompanyReportDto, LeagueTableDto, OverdueQueryDto, OverdueRowDto, ReportRangeQueryDto, TrendsDto } from './report.dto';
import { reportRangeFor } from './report-range';
import { ReportsService } from './reports.service';
import { TtlCache } from './ttl-cache';

/**
 * How long one computation of the public league table answers every caller of the same query: the table is
 * public and needs no login, so without it each call, anyone's, would run the company report's query. The
 * trade: a table up to this old (its `from`/`to` say when it was computed), on top of the `max-age=60` a browser
 * or a shared cache may add; supervisors' own report (GET /reports/companies) is never cached.
 */
export const LEAGUE_CACHE_TTL_MS = 30_000;
/** Distinct queries kept at once (each `from`/`to`/`season` is one); the oldest is dropped beyond. */
export const LEAGUE_CACHE_ENTRIES = 64;

@ApiTags('reports')
@Controller()
export class ReportsController {
  private readonly league = new TtlCache<LeagueTableDto>(LEAGUE_CACHE_TTL_MS, LEAGUE_CACHE_ENTRIES);

  constructor(
    private readonly reports: ReportsService,
    private readonly seasons: SeasonsService,
  ) {}

  @Get('reports/overdue')
  @ApiBearerAuth()
  @RequirePermission('reports.overdue')
  @Header('Vary', 'Accept')
  @ApiOperation({ summary: 'Open tickets with a stage past its deadline, one row per stage, oldest deadline first (crews: their company’s)' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: [OverdueRowDto], description: 'JSON, or CSV (UTF-8 with BOM) when `Accept: text/csv`; phones as the access policy shows them (always masked in CSV).' })
  @ApiBadRequestResponse({ description: 'A bad filter (problem details naming the field).' })
  @ApiUnauthorizedResponse({ description: 'No or bad token.' })
  @ApiForbiddenResponse({ description: 'The role may not read this report.' })
  async overdue(
    @Query() query: OverdueQueryDto,
    @CurrentUser() user: AuthenticatedUser,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OverdueRowDto[] | string> {
    const csv = wantsCsv(accept);
    const filter = companyFilterFor(user, query.companyId);
    const rows = filter ? await this.reports.overdue({ ...query, ...filter }, phoneVisibilityFor(user, csv ? 'export' : 'screen')) : [];
    return csv ? csvDownload(response, csvFilename('overdue'), OVERDUE_CSV, rows) : rows;
  }

  @Get('reports/companies')
  @ApiBearerAuth()
  @RequirePermission('reports.performance')
  @Header('Vary', 'Accept')
  @ApiOperation({ summary: 'Per-company performance (考核) for tickets dispatched in [from, to): on-time, solved, satisfaction, reopen, repeat, return and temperature-test rates, warnings, notices' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: CompanyReportDto, description: 'JSON, or CSV (UTF-8 with BOM) when `Accept: text/csv`.' })
  @ApiBadRequestResponse({ description: 'Bad from/to: not a date, not from < to, or longer than 366 days; a malformed season, or one with from/to.' })
  @ApiUnauthorizedResponse({ description: 'No or bad token.' })
  @ApiForbiddenResponse({ description: 'Not a supervisor or admin.' })
  async companies(
    @Query() query: ReportRangeQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CompanyReportDto | string> {
    const range = await reportRangeFor(query, this.seasons);
    const report = await this.reports.companies(range);
    return wantsCsv(accept) ? csvDownload(response, csvFilename('companies', range), COMPANY_REPORT_CSV, report.items) : report;
  }

  @Get('reports/trends')
  @ApiBearerAuth()
  @RequirePermission('reports.performance')
  @ApiOperation({ summary: 'Tickets created and how many went overdue, by Asia/Shanghai day and by district, for the dashboard charts' })
  @ApiOkResponse({ type: TrendsDto })
  @ApiBadRequestResponse({ description: 'Bad from/to, or a bad season (malformed, or with from/to).' })
  @ApiUnauthorizedResponse({ description: 'No or bad token.' })
  @ApiForbiddenResponse({ description: 'Not a supervisor or admin.' })
  async trends(@Query() query: ReportRangeQueryDto): Promise<TrendsDto> {
    return this.reports.trends(await reportRangeFor(query, this.seasons));
  }

  @Get('public/companies')
  @Public()
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: 'League table (红黑榜) of active companies for [from, to), best first; no login, no personal data' })
  @ApiOkResponse({ type: LeagueTableDto })
  @ApiBadRequestResponse({ description: 'Bad from/to, or a bad season (malformed, or with from/to).' })
  async publicCompanies(@Query() query: ReportRangeQueryDto): Promise<LeagueTableDto> {
    // A bad range is refused before anything is kept (400); the same query within LEAGUE_CACHE_TTL_MS gets the same table.
    const range = await reportRangeFor(query, this.seasons);
    return this.league.get(JSON.stringify([query.from ?? null, query.to ?? null, query.season ?? null]), () => this.reports.league(range));
  }
}

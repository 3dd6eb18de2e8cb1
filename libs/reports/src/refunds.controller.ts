import { Controller, Get, Header, Headers, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '@app/auth';
import { SeasonsService } from '@app/sla';
import { csvDownload, wantsCsv } from './csv';
import { MAX_REFUND_ROWS, RefundReportDto } from './refund.dto';
import { ReportRangeQueryDto } from './report.dto';
import { csvFilename, REFUNDS_CSV } from './report-csv';
import { reportRangeFor } from './report-range';
import { RefundsService } from './refunds.service';

/**
 * 退费 (domain.md §3): the rooms and days households are owed a refund because a failed reading was not
 * fixed within the remediation limit, for the companies' accounts. The same lines as each ticket's `refund`.
 */
@ApiTags('reports')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or bad token.' })
@Controller()
export class RefundsController {
  constructor(
    private readonly refunds: RefundsService,
    private readonly seasons: SeasonsService,
  ) {}

  @Get('reports/refunds')
  @RequirePermission('reports.performance')
  @Header('Vary', 'Accept')
  @ApiOperation({
    summary: 'Refunds (退费) by room and day: every local day from that of `from` up to that of `to` a room of a ticket was below the standard after its remediation deadline',
    description: `Per room and per day, with the shortfall and the refund tier; tickets with a refund exclusion are left out. At most ${MAX_REFUND_ROWS} rows (\`truncated\` says when there were more).`,
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: RefundReportDto, description: 'JSON, or CSV (UTF-8 with BOM) when `Accept: text/csv`: the rows only.' })
  @ApiBadRequestResponse({ description: 'Bad from/to (not a date, not from < to, longer than 366 days), or a bad season (malformed, or with from/to).' })
  @ApiForbiddenResponse({ description: 'Not a supervisor or admin.' })
  async report(
    @Query() query: ReportRangeQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RefundReportDto | string> {
    const range = await reportRangeFor(query, this.seasons);
    const report = await this.refunds.report(range);
    return wantsCsv(accept) ? csvDownload(response, csvFilename('refunds', range), REFUNDS_CSV, report.rows) : report;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { presentPhone } from '@app/auth';
import type { PhoneVisibility } from '@app/auth';
import { DISTRICTS, formatIsoDuration } from '@app/domain';
import type { Category, District, EscalationLevel, Priority, Stage, TicketStatus } from '@app/domain';
import { CompanyReportDto, CompanyReportRowDto, LeagueTableDto, OverdueQueryDto, OverdueRowDto, TrendsDto } from './report.dto';
import { ReportRange } from './report-range';
import { COMPANY_COUNTS, COMPANY_SHARES, companyReportSql, overdueReportSql, trendsByDaySql, trendsByDistrictSql } from './report-sql';

interface OverdueRecord {
  ticket_id: string;
  ticket_number: string;
  company_id: string;
  company_name: string;
  district: District;
  category: Category;
  priority: Priority;
  status: TicketStatus;
  stage: Stage;
  due_at: Date;
  escalation_level: EscalationLevel;
  citizen_phone: string;
}

type CompanyRecord = { company_id: string; company_name: string; active: boolean } & Record<string, number>;

/** A share in [0, 1] to 4 decimals; null when there is nothing to divide by. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.round((numerator / denominator) * 10_000) / 10_000 : null;
}

@Injectable()
export class ReportsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `filters.companyId` is the filter the access policy allowed; phones shown as `phone` says. */
  async overdue(filters: OverdueQueryDto, phone: PhoneVisibility, now = new Date()): Promise<OverdueRowDto[]> {
    const sql = overdueReportSql(filters);
    const rows: OverdueRecord[] = await this.dataSource.query(sql.text, sql.params);
    return rows.map((row) => ({
      ticketId: row.ticket_id,
      ticketNumber: row.ticket_number,
      companyId: row.company_id,
      companyName: row.company_name,
      district: row.district,
      category: row.category,
      priority: row.priority,
      status: row.status,
      stage: row.stage,
      dueAt: row.due_at.toISOString(),
      overdueBy: formatIsoDuration(now.getTime() - row.due_at.getTime()),
      escalationLevel: row.escalation_level,
      citizenPhone: presentPhone(row.citizen_phone, phone),
    }));
  }

  async companies(range: ReportRange, now = new Date()): Promise<CompanyReportDto> {
    return { from: range.from.toISOString(), to: range.to.toISOString(), items: (await this.companyRecords(range, now)).map(toCompanyRow) };
  }

  /** 红黑榜: active companies only, best first; company-level figures only, nothing about citizens. */
  async league(range: ReportRange, now = new Date()): Promise<LeagueTableDto> {
    const rows = (await this.companyRecords(range, now))
      .filter((row) => row.active)
      .map((row) => {
        const { count, share } = figuresOf(row);
        return {
          companyId: row.company_id,
          companyName: row.company_name,
          dispatched: count('dispatched'),
          onTimeRate: share('onTimeRate'),
          satisfactionRate: share('satisfactionRate'),
          notices: count('notices'),
        };
      });
    rows.sort(
      (a, b) =>
        descNullsLast(a.onTimeRate, b.onTimeRate) ||
        descNullsLast(a.satisfactionRate, b.satisfactionRate) ||
        a.notices - b.notices ||
        b.dispatched - a.dispatched ||
        a.companyName.localeCompare(b.companyName, 'zh-CN') ||
        a.companyId.localeCompare(b.companyId),
    );
    return { from: range.from.toISOString(), to: range.to.toISOString(), items: rows.map((row, index) => ({ rank: index + 1, ...row })) };
  }

  async trends(range: ReportRange): Promise<TrendsDto> {
    const byDaySql = trendsByDaySql(range.from, range.to);
    const byDistrictSql = trendsByDistrictSql(range.from, range.to);
    const [byDay, districts]: [TrendsDto['byDay'], TrendsDto['byDistrict']] = await Promise.all([
      this.dataSource.query(byDaySql.text, byDaySql.params),
      this.dataSource.query(byDistrictSql.text, byDistrictSql.params),
    ]);
    const counted = new Map(districts.map((row) => [row.district, row]));
    return {
      byDay,
      byDistrict: DISTRICTS.map((district) => ({ district, tickets: counted.get(district)?.tickets ?? 0, overdue: counted.get(district)?.overdue ?? 0 })),
    };
  }

  private async companyRecords(range: ReportRange, now: Date): Promise<CompanyRecord[]> {
    const sql = companyReportSql(range.from, range.to, now);
    return this.dataSource.query(sql.text, sql.params);
  }
}

/** A company's figures as COMPANY_COUNTS and COMPANY_SHARES define them. */
function figuresOf(row: CompanyRecord) {
  const total = (columns: readonly string[]): number => columns.reduce((sum, column) => sum + row[column], 0);
  return {
    count: (name: keyof typeof COMPANY_COUNTS): number => row[COMPANY_COUNTS[name]],
    share: (name: keyof typeof COMPANY_SHARES): number | null => rate(total(COMPANY_SHARES[name].share), total(COMPANY_SHARES[name].of)),
  };
}

function toCompanyRow(row: CompanyRecord): CompanyReportRowDto {
  const { count, share } = figuresOf(row);
  return {
    companyId: row.company_id,
    companyName: row.company_name,
    active: row.active,
    dispatched: count('dispatched'),
    acceptOnTimeRate: share('acceptOnTimeRate'),
    contactOnTimeRate: share('contactOnTimeRate'),
    visitOnTimeRate: share('visitOnTimeRate'),
    replyOnTimeRate: share('replyOnTimeRate'),
    callbacks: count('callbacks'),
    evaluations: count('evaluations'),
    solvedRate: share('solvedRate'),
    satisfactionRate: share('satisfactionRate'),
    responseRate: share('responseRate'),
    reopenRate: share('reopenRate'),
    repeatCallRate: share('repeatCallRate'),
    returnRate: share('returnRate'),
    warnings: count('warnings'),
    notices: count('notices'),
    temperatureTests: count('temperatureTests'),
    temperaturePassRate: share('temperaturePassRate'),
    pauses: count('pauses'),
    pausedSeconds: count('pausedSeconds'),
  };
}

function descNullsLast(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DISTRICTS, formatIsoDuration, maskPhone } from '@app/domain';
import type { Category, District, EscalationLevel, Priority, Stage, TicketStatus } from '@app/domain';
import { CompanyReportDto, CompanyReportRowDto, LeagueTableDto, OverdueQueryDto, OverdueRowDto, TrendsDto } from './report.dto';
import { ReportRange } from './report-range';
import { companyReportSql, overdueReportSql, RATED_STAGES, trendsByDaySql, trendsByDistrictSql } from './report-sql';

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

  /** `scopeCompanyId` forces a crew's own company whatever it asked for. */
  async overdue(query: OverdueQueryDto, scopeCompanyId?: string, now = new Date()): Promise<OverdueRowDto[]> {
    const sql = overdueReportSql({ ...query, companyId: scopeCompanyId ?? query.companyId });
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
      citizenPhone: maskPhone(row.citizen_phone),
    }));
  }

  async companies(range: ReportRange, now = new Date()): Promise<CompanyReportDto> {
    return { from: range.from.toISOString(), to: range.to.toISOString(), items: (await this.companyRecords(range, now)).map(toCompanyRow) };
  }

  /** 红黑榜: active companies only, best first; company-level figures only, nothing about citizens. */
  async league(range: ReportRange, now = new Date()): Promise<LeagueTableDto> {
    const rows = (await this.companyRecords(range, now))
      .filter((row) => row.active)
      .map((row) => ({
        companyId: row.company_id,
        companyName: row.company_name,
        dispatched: row.dispatched,
        onTimeRate: rate(sum(row, RATED_STAGES.map((stage) => `${stage}_on_time`)), sum(row, RATED_STAGES.map((stage) => `${stage}_decided`))),
        satisfactionRate: rate(row.satisfied, row.callbacks),
        notices: row.notices,
      }));
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

function toCompanyRow(row: CompanyRecord): CompanyReportRowDto {
  return {
    companyId: row.company_id,
    companyName: row.company_name,
    active: row.active,
    dispatched: row.dispatched,
    acceptOnTimeRate: rate(row.accept_on_time, row.accept_decided),
    contactOnTimeRate: rate(row.contact_on_time, row.contact_decided),
    visitOnTimeRate: rate(row.visit_on_time, row.visit_decided),
    replyOnTimeRate: rate(row.reply_on_time, row.reply_decided),
    callbacks: row.callbacks,
    solvedRate: rate(row.solved, row.callbacks),
    satisfactionRate: rate(row.satisfied, row.callbacks),
    reopenRate: rate(row.reopened, row.dispatched),
    repeatCallRate: rate(row.repeated, row.dispatched),
    returnRate: rate(row.returned, row.dispatched),
    warnings: row.warnings,
    notices: row.notices,
    temperatureTests: row.temperature_tests,
    temperaturePassRate: rate(row.temperature_passed, row.temperature_tests),
  };
}

function sum(row: CompanyRecord, keys: string[]): number {
  return keys.reduce((total, key) => total + row[key], 0);
}

function descNullsLast(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

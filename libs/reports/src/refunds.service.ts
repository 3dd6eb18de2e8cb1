import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { CALENDAR_ZONE, compareText, localDate, pauseActive, ticketRefundLines } from '@app/domain';
import type { District, IndoorStandardSnapshot, PauseState, RefundLine, RemediationWindow, StoredReading } from '@app/domain';
import type { RefundExclusionRecord, TicketStages } from '@app/persistence';
import { MAX_REFUND_ROWS, RefundReportDto, RefundRowDto } from './refund.dto';
import type { ReportRange } from './report-range';
import type { SqlQuery } from './report-sql';

interface RefundTicketRecord {
  id: string;
  number: string;
  company_id: string;
  company_name: string;
  district: District;
  address: string;
  building_key: string | null;
  readings: StoredReading[];
  indoor_standard: IndoorStandardSnapshot;
  refund_exclusion: RefundExclusionRecord | null;
  pause: PauseState | null;
  closed_at: Date | null;
}

interface RefundDispatchRecord {
  ticket_id: string;
  company_id: string;
  company_name: string;
  dispatched_at: Date;
  ended_at: Date | null;
  stages: TicketStages;
}

/**
 * The tickets that may owe a refund on a day from `firstDay` (a local midnight) up to `to`: a dispatch of
 * theirs started a remediation (a failed reading) before `to`, and they were still open on that first day
 * (a closed ticket's refund days end on the day it closed). An exclusion rules the whole ticket out.
 */
export function refundCandidatesSql(firstDay: Date, to: Date): SqlQuery {
  const text = `
    SELECT t.id, t.number, t.company_id, c.name AS company_name, t.district, t.address, t.building_key, t.readings,
           t.indoor_standard, t.refund_exclusion, t.pause, t.closed_at
      FROM tickets t
      JOIN companies c ON c.id = t.company_id
     WHERE t.refund_exclusion IS NULL
       AND (t.closed_at IS NULL OR t.closed_at >= $1)
       AND EXISTS (SELECT 1 FROM ticket_dispatches d
                    WHERE d.ticket_id = t.id AND d.stages ? 'remediate'
                      AND (d.stages->'remediate'->>'startsAt')::timestamptz < $2)`;
  return { text, params: [firstDay, to] };
}

/** Every dispatch of the tickets, with the name of the company that held it, in order. */
export function refundDispatchesSql(ticketIds: readonly string[]): SqlQuery {
  const text = `
    SELECT d.ticket_id, d.company_id, c.name AS company_name, d.dispatched_at, d.ended_at, d.stages
      FROM ticket_dispatches d
      JOIN companies c ON c.id = d.company_id
     WHERE d.ticket_id = ANY($1::uuid[])
     ORDER BY d.ticket_id, d.seq`;
  return { text, params: [ticketIds] };
}

function window(dispatch: RefundDispatchRecord): RemediationWindow {
  return { from: dispatch.dispatched_at.toISOString(), to: dispatch.ended_at?.toISOString() ?? null, remediation: dispatch.stages.remediate ?? null };
}

/**
 * 退费 (domain.md §3) by room and day over a range, for the heating companies' accounts. The rule is
 * `ticketRefundLines` of @app/domain, computed exactly as the ticket detail does (refundOf in
 * libs/tickets/src/dto/ticket.dto.ts); SQL only narrows the tickets it is run on.
 */
@Injectable()
export class RefundsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A line is for a whole local day, so the range is read as days: those from the day of `from` up to, not
   * including, the day of `to` (a date, as a season or `to=2026-12-08` gives it, is that day's midnight).
   */
  async report(range: ReportRange, now = new Date()): Promise<RefundReportDto> {
    const firstDay = localDate(range.from);
    const endDay = localDate(range.to);
    const candidates = refundCandidatesSql(DateTime.fromISO(firstDay, { zone: CALENDAR_ZONE }).toJSDate(), range.to);
    const tickets: RefundTicketRecord[] = await this.dataSource.query(candidates.text, candidates.params);
    const dispatchesOf = new Map<string, RefundDispatchRecord[]>();
    if (tickets.length > 0) {
      const sql = refundDispatchesSql(tickets.map((ticket) => ticket.id));
      const dispatches: RefundDispatchRecord[] = await this.dataSource.query(sql.text, sql.params);
      for (const dispatch of dispatches) dispatchesOf.set(dispatch.ticket_id, [...(dispatchesOf.get(dispatch.ticket_id) ?? []), dispatch]);
    }

    const rows = tickets.flatMap((ticket) =>
      refundRows(ticket, dispatchesOf.get(ticket.id) ?? [], now).filter((row) => row.day >= firstDay && row.day < endDay),
    );
    rows.sort((a, b) => compareText(a.day, b.day) || compareText(a.ticketNumber, b.ticketNumber) || compareText(a.room, b.room));
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      rows: rows.slice(0, MAX_REFUND_ROWS),
      tickets: new Set(rows.map((row) => row.ticketId)).size,
      roomDays: rows.length,
      truncated: rows.length > MAX_REFUND_ROWS,
    };
  }
}

/**
 * A ticket's refund lines with the company that owes each. A line comes from one dispatch's remediation
 * (the larger shortfall where two share a day, the earlier dispatch on a tie, as `ticketRefundLines` keeps
 * it), and its day lies within that dispatch: that company held the ticket then and let the deadline pass.
 * So each line is charged to the first dispatch whose own lines give the same room, day and shortfall,
 * rather than to whoever held the ticket at some hour of the day (a reassignment at 10:00 must not charge
 * the new company for the old one's cold morning). The ticket's current company only if none matches.
 */
function refundRows(ticket: RefundTicketRecord, dispatches: readonly RefundDispatchRecord[], now: Date): RefundRowDto[] {
  const facts = {
    readings: ticket.readings,
    standard: ticket.indoor_standard,
    exclusion: ticket.refund_exclusion?.exclusion ?? null,
    until: ticket.closed_at ?? now,
    activePause: pauseActive(ticket.pause) ? ticket.pause : null,
  };
  const lines = ticketRefundLines(dispatches.map(window), facts);
  if (lines.length === 0) return [];
  const byDispatch = dispatches.map((dispatch) => ({ dispatch, lines: ticketRefundLines([window(dispatch)], facts) }));
  const sameLine = (a: RefundLine, b: RefundLine) => a.room === b.room && a.day === b.day && a.shortfall === b.shortfall;
  return lines.map((line) => {
    const owner = byDispatch.find((candidate) => candidate.lines.some((own) => sameLine(own, line)))?.dispatch;
    return {
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      companyId: owner?.company_id ?? ticket.company_id,
      companyName: owner?.company_name ?? ticket.company_name,
      district: ticket.district,
      address: ticket.address,
      building: ticket.building_key,
      ...line,
    };
  });
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { addressPlace, isSuspectedOutage, SUSPECTED_OUTAGE } from '@app/domain';
import type { Category, District, TicketStatus } from '@app/domain';
import { DEFAULT_HOTSPOTS, HotspotDto, HotspotsDto, MAX_NEARBY_TICKETS, NearbyDto } from './hotspot.dto';
import type { ReportRange } from './report-range';
import { buildingRecentTicketsSql, HotspotLevel, HotspotOrder, hotspotsSql } from './report-sql';

interface HotspotRecord {
  place: string;
  district: District;
  tickets: number;
  repeat_calls: number;
  suspected_outages: number;
}

interface RecentTicketRecord {
  id: string;
  number: string;
  category: Category;
  status: TicketStatus;
  created_at: Date;
  others_from_building: number;
}

/**
 * 热点 (domain.md §2.6): the communities and buildings most tickets and repeat calls come from, and, for the
 * operator taking a call, the tickets from the caller's building in the last hour (片区停热). Places are the
 * keys `addressPlace` (libs/domain/src/address.ts) stores on every ticket.
 */
@Injectable()
export class HotspotsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(range: ReportRange, by: HotspotOrder = 'tickets', limit = DEFAULT_HOTSPOTS): Promise<HotspotsDto> {
    const [communities, buildings] = await Promise.all((['community', 'building'] as const).map((level) => this.top(level, range, by, limit)));
    return { from: range.from.toISOString(), to: range.to.toISOString(), by, communities, buildings };
  }

  private async top(level: HotspotLevel, range: ReportRange, by: HotspotOrder, limit: number): Promise<HotspotDto[]> {
    const sql = hotspotsSql(level, range.from, range.to, by, limit);
    const rows: HotspotRecord[] = await this.dataSource.query(sql.text, sql.params);
    return rows.map((row, index) => ({
      rank: index + 1,
      place: row.place,
      district: row.district,
      tickets: row.tickets,
      repeatCalls: row.repeat_calls,
      suspectedOutages: row.suspected_outages,
    }));
  }

  /** The tickets from the building `address` names, created in the hour up to `now`; nothing while it names none. */
  async nearby(district: District, address: string, now = new Date()): Promise<NearbyDto> {
    const { buildingKey, communityKey } = addressPlace(district, address);
    const since = new Date(now.getTime() - SUSPECTED_OUTAGE.windowMs).toISOString();
    const answer = { buildingKey, communityKey, since, threshold: SUSPECTED_OUTAGE.others };
    if (buildingKey === null) return { ...answer, count: 0, suspectedOutage: false, tickets: [] };
    const sql = buildingRecentTicketsSql(buildingKey, now);
    const rows: RecentTicketRecord[] = await this.dataSource.query(sql.text, sql.params);
    return {
      ...answer,
      count: rows.length,
      suspectedOutage: isSuspectedOutage(rows.length),
      tickets: rows.slice(0, MAX_NEARBY_TICKETS).map((row) => ({
        id: row.id,
        number: row.number,
        category: row.category,
        status: row.status,
        createdAt: row.created_at.toISOString(),
        suspectedOutage: isSuspectedOutage(row.others_from_building),
      })),
    };
  }
}

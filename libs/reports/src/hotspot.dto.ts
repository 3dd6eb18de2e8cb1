import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';
import { CATEGORIES, DISTRICTS, SUSPECTED_OUTAGE, TICKET_STATUSES } from '@app/domain';
import type { Category, District, TicketStatus } from '@app/domain';
import { ReportRangeQueryDto } from './report.dto';
import { HOTSPOT_ORDERS } from './report-sql';
import type { HotspotOrder } from './report-sql';

export const DEFAULT_HOTSPOTS = 10;
export const MAX_HOTSPOTS = 100;

export class HotspotsQueryDto extends ReportRangeQueryDto {
  @ApiPropertyOptional({ enum: HOTSPOT_ORDERS, default: 'tickets', description: 'Rank by tickets created, or by repeat calls on them (places without any left out).' })
  @IsOptional()
  @IsIn(HOTSPOT_ORDERS)
  by?: HotspotOrder;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_HOTSPOTS, default: DEFAULT_HOTSPOTS, description: 'How many communities and how many buildings.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HOTSPOTS)
  limit?: number;
}

export class HotspotDto {
  @ApiProperty({ description: '1 is the hottest.' }) rank: number;
  @ApiProperty({
    example: '南开区 鞍山西道100号 3门',
    description: 'The community or building as addressPlace keys it: district, then road and number or community, then building. Never a room.',
  })
  place: string;
  @ApiProperty({ enum: DISTRICTS }) district: District;
  @ApiProperty({ description: 'Tickets created in the range from this place.' }) tickets: number;
  @ApiProperty({ description: '重复来电: repeat calls recorded on those tickets (their repeatCount).' }) repeatCalls: number;
  @ApiProperty({ description: `疑似片区停热: of those tickets, how many came while at least ${SUSPECTED_OUTAGE.others} others came from their building in the hour before.` })
  suspectedOutages: number;
}

export class HotspotsDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ enum: HOTSPOT_ORDERS }) by: HotspotOrder;
  @ApiProperty({ type: [HotspotDto], description: 'Top communities (小区).' }) communities: HotspotDto[];
  @ApiProperty({ type: [HotspotDto], description: 'Top buildings (楼栋).' }) buildings: HotspotDto[];
}

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class NearbyQueryDto {
  @ApiProperty({ enum: DISTRICTS, example: 'NANKAI' })
  @IsIn(DISTRICTS)
  district: District;

  @ApiProperty({ example: '鞍山西道100号3门201', maxLength: 300, description: 'The address as typed so far.' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  address: string;
}

export class NearbyTicketDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '8890-20261128-000042' }) number: string;
  @ApiProperty({ enum: CATEGORIES }) category: Category;
  @ApiProperty({ enum: TICKET_STATUSES }) status: TicketStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: `Created while at least ${SUSPECTED_OUTAGE.others} others came from the building in the hour before: 疑似片区停热.` })
  suspectedOutage: boolean;
}

export const MAX_NEARBY_TICKETS = 50;

export class NearbyDto {
  @ApiProperty({ type: String, nullable: true, example: '南开区 鞍山西道100号 3门', description: 'The building the address names; null while it names none (then nothing is counted).' })
  buildingKey: string | null;
  @ApiProperty({ type: String, nullable: true, example: '南开区 鞍山西道100号' }) communityKey: string | null;
  @ApiProperty({ format: 'date-time', description: 'The hour counted: tickets created from this instant to now.' }) since: string;
  @ApiProperty({ description: 'Tickets from the building created in the last hour.' }) count: number;
  @ApiProperty({ description: `A ticket created now would be a suspected outage (疑似片区停热): count ≥ ${SUSPECTED_OUTAGE.others}.` }) suspectedOutage: boolean;
  @ApiProperty({ example: SUSPECTED_OUTAGE.others, description: 'Other tickets from one building in the hour that make a suspected outage.' }) threshold: number;
  @ApiProperty({ type: [NearbyTicketDto], description: `Those tickets, newest first (at most ${MAX_NEARBY_TICKETS}); no caller data.` }) tickets: NearbyTicketDto[];
}

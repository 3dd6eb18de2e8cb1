import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID, isISO8601 } from 'class-validator';
import { PageQueryDto } from '@app/http';
import { DISTRICTS, formatIsoDuration, RUNG_LEVELS, STAGES } from '@app/domain';
import type { District, RungLevel, Stage } from '@app/domain';
import type { EscalationEntity, NoticeEntity } from '@app/persistence';

export class EscalationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) ticketId: string;
  @ApiProperty() ticketNumber: string;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty({ enum: STAGES }) stage: Stage;
  @ApiProperty({ enum: RUNG_LEVELS }) level: RungLevel;
  @ApiProperty({ format: 'date-time', description: 'The rung’s instant.' }) dueAt: string;
  @ApiProperty({ format: 'date-time' }) firedAt: string;
}

export function mapEscalation(entity: EscalationEntity): EscalationDto {
  return {
    id: entity.id,
    ticketId: entity.ticketId,
    ticketNumber: entity.ticketNumber,
    companyId: entity.companyId,
    stage: entity.stage,
    level: entity.level,
    dueAt: entity.dueAt.toISOString(),
    firedAt: entity.firedAt.toISOString(),
  };
}

export class NoticeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty() companyName: string;
  @ApiProperty() ticketNumber: string;
  @ApiProperty({ enum: DISTRICTS }) district: District;
  @ApiProperty({ enum: STAGES }) stage: Stage;
  @ApiProperty({ example: 'PT12H5M', description: 'How late the stage was when the notice was published (ISO 8601).' }) overdueBy: string;
  @ApiProperty() text: string;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
}

export function mapNotice(entity: NoticeEntity): NoticeDto {
  return {
    id: entity.id,
    companyId: entity.companyId,
    companyName: entity.companyName,
    ticketNumber: entity.ticketNumber,
    district: entity.district,
    stage: entity.stage,
    overdueBy: formatIsoDuration(entity.overdueBySeconds * 1000),
    text: entity.text,
    publishedAt: entity.publishedAt.toISOString(),
  };
}

export class EscalationPageDto {
  @ApiProperty({ type: [EscalationDto] }) items: EscalationDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' }) nextCursor: string | null;
}

export class NoticePageDto {
  @ApiProperty({ type: [NoticeDto] }) items: NoticeDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' }) nextCursor: string | null;
}

/**
 * `?from=`/`?to=` as a Date when an ISO 8601 date-time that exists on the calendar; anything else is left for
 * IsDate to refuse (`new Date` alone takes 2025-02-30 for March 2, and "x 2020" for New Year 2020).
 */
const toInstant = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && isISO8601(value, { strict: true }) ? new Date(value) : value);

export class ListEscalationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RUNG_LEVELS })
  @IsOptional()
  @IsIn(RUNG_LEVELS)
  level?: RungLevel;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  companyId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Fired at or after.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Fired before.' })
  @IsOptional()
  @Transform(toInstant)
  @IsDate()
  to?: Date;
}

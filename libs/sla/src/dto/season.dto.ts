import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The body of `PUT /seasons/{season}`: the first and the last heated day, Asia/Shanghai, both inclusive. */
export class SeasonDatesDto {
  @ApiProperty({ example: '2026-11-15', description: 'The first heated day (YYYY-MM-DD), in the season’s first year.' })
  @Matches(DAY, { message: 'starts must be a date (YYYY-MM-DD)' })
  starts: string;

  @ApiProperty({ example: '2027-03-15', description: 'The last heated day (YYYY-MM-DD), in the season’s second year.' })
  @Matches(DAY, { message: 'ends must be a date (YYYY-MM-DD)' })
  ends: string;
}

export const SEASON_SOURCES = ['STORED', 'DEFAULT'] as const;
export type SeasonSource = (typeof SEASON_SOURCES)[number];

export class SeasonDto extends SeasonDatesDto {
  @ApiProperty({ example: '2026-2027' }) season: string;
  @ApiProperty({ enum: SEASON_SOURCES, description: 'STORED: set by an admin; DEFAULT: the statutory 11-15 → 03-15.' }) source: SeasonSource;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) updatedBy: string | null;
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { defaultSeasonDates, seasonDatesProblems, seasonFirstYear, seasonFirstYearAt, seasonName } from '@app/domain';
import type { SeasonDates } from '@app/domain';
import { ProblemException } from '@app/http';
import { SeasonDatesDto, SeasonDto } from './dto/season.dto';

interface SeasonRow {
  first_year: number;
  starts: string;
  ends: string;
  updated_at: Date;
  updated_by: string;
}

const seasonProblem = (season: string): ProblemException =>
  new ProblemException(HttpStatus.BAD_REQUEST, `season must name a heating season such as 2026-2027, not ${JSON.stringify(season)}`, {
    title: 'Validation failed',
    errors: [{ field: 'season', message: 'season must be two consecutive years such as 2026-2027 (2000–2100)' }],
  });

/**
 * The heating season (供暖季) of each year: admin data in `heating_seasons` (`PUT /seasons/{season}`),
 * the statutory 11-15 → 03-15 for a season nobody stored. Reports take a season's dates from `datesOf`.
 */
@Injectable()
export class SeasonsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Every stored season, with the current (or next) one even when it is not stored, oldest first. */
  async list(now = new Date()): Promise<SeasonDto[]> {
    const rows: SeasonRow[] = await this.dataSource.query(`SELECT first_year, starts::text AS starts, ends::text AS ends, updated_at, updated_by FROM heating_seasons ORDER BY first_year`);
    const seasons = new Map(rows.map((row) => [Number(row.first_year), toDto(row)]));
    const current = seasonFirstYearAt(now);
    if (!seasons.has(current)) seasons.set(current, defaultDto(current));
    return [...seasons.entries()].sort(([a], [b]) => a - b).map(([, dto]) => dto);
  }

  /** A season's dates, stored or default; undefined when `season` names no season (malformed). */
  async datesOf(season: string): Promise<SeasonDates | undefined> {
    const firstYear = seasonFirstYear(season);
    if (firstYear === undefined) return undefined;
    const dto = await this.find(firstYear);
    return { starts: dto.starts, ends: dto.ends };
  }

  /** Stores a season's dates (400 naming `season`, `starts` or `ends` when they do not fit it). */
  async put(season: string, body: SeasonDatesDto, actor: string): Promise<SeasonDto> {
    const firstYear = seasonFirstYear(season);
    if (firstYear === undefined) throw seasonProblem(season);
    const errors = seasonDatesProblems(firstYear, body);
    if (errors.length > 0) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, errors.map((error) => error.message).join('; '), { title: 'Validation failed', errors });
    }
    await this.dataSource.query(
      `INSERT INTO heating_seasons (first_year, starts, ends, updated_at, updated_by) VALUES ($1, $2, $3, now(), $4)
       ON CONFLICT (first_year) DO UPDATE SET starts = excluded.starts, ends = excluded.ends, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [firstYear, body.starts, body.ends, actor],
    );
    return this.find(firstYear);
  }

  private async find(firstYear: number): Promise<SeasonDto> {
    const [row]: SeasonRow[] = await this.dataSource.query(
      `SELECT first_year, starts::text AS starts, ends::text AS ends, updated_at, updated_by FROM heating_seasons WHERE first_year = $1`,
      [firstYear],
    );
    return row ? toDto(row) : defaultDto(firstYear);
  }
}

function toDto(row: SeasonRow): SeasonDto {
  return {
    season: seasonName(Number(row.first_year)),
    starts: row.starts,
    ends: row.ends,
    source: 'STORED',
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
  };
}

function defaultDto(firstYear: number): SeasonDto {
  return { season: seasonName(firstYear), ...defaultSeasonDates(firstYear), source: 'DEFAULT', updatedAt: null, updatedBy: null };
}

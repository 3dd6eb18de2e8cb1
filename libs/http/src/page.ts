import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor } from './cursor';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit=&cursor=` of every list: keyset pages, newest first. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; null on the last. */
  readonly nextCursor: string | null;
}

/**
 * One keyset page of `builder`, ordered by (`instantColumn` DESC, id DESC): the rows after the cursor's
 * position, and a cursor when more follow. `instantOf` reads the ordering instant back from a row.
 */
export async function keysetPage<Row extends ObjectLiteral & { id: string }>(
  builder: SelectQueryBuilder<Row>,
  order: { readonly alias: string; readonly instantColumn: string; readonly instantOf: (row: Row) => Date },
  query: PageQueryDto,
): Promise<Page<Row>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const { alias, instantColumn, instantOf } = order;
  builder.orderBy(`${alias}.${instantColumn}`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').take(limit + 1);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    builder.andWhere(`(${alias}.${instantColumn}, ${alias}.id) < (:cursorAt, :cursorId)`, { cursorAt: after.at, cursorId: after.id });
  }
  const rows = await builder.getMany();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: instantOf(last), id: last.id }) : null };
}

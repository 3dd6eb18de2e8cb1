import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor } from './cursor';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit=&cursor=` of every list: keyset pages (newest first unless a queue says otherwise). */
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
 * How a keyset list is ordered: by an instant, then by id, both the same way. `instant` is constant SQL over the
 * builder's `alias`, pasted into the query (never a value: values go as the builder's parameters): a timestamptz
 * column (`t.created_at`) or expression (`(t.extension->>'requestedAt')::timestamptz`, a subquery), never null.
 * Cursors carry it to the microsecond, as PostgreSQL keeps it, so rows stamped within one millisecond are neither
 * skipped nor repeated across pages.
 */
export interface KeysetOrder {
  readonly alias: string;
  readonly instant: string;
  /** DESC (default): newest first, as every list; ASC: oldest first, as the supervisors' queues. */
  readonly direction?: 'DESC' | 'ASC';
}

/** The column the ordering instant is read back from, to build the next cursor. */
const KEYSET_INSTANT = 'keyset_instant';

/**
 * One keyset page of `builder`, ordered by (instant, id) as `order` says: the rows after the cursor's
 * position, and a cursor when more follow.
 */
export async function keysetPage<Row extends ObjectLiteral & { id: string }>(builder: SelectQueryBuilder<Row>, order: KeysetOrder, query: PageQueryDto): Promise<Page<Row>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const { alias, instant } = order;
  const direction = order.direction ?? 'DESC';
  /* eslint-disable no-restricted-syntax -- `instant` and `alias` are SQL the caller writes (KeysetOrder: constant expressions over its own alias), never values; the cursor's values are parameters */
  builder
    .addSelect(`to_char(${instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, KEYSET_INSTANT)
    .orderBy(instant, direction).addOrderBy(`${alias}.id`, direction).take(limit + 1);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    builder.andWhere(`(${instant}, ${alias}.id) ${direction === 'DESC' ? '<' : '>'} (CAST(:cursorAt AS timestamptz), CAST(:cursorId AS uuid))`, {
      cursorAt: after.at,
      cursorId: after.id,
    });
  }
  /* eslint-enable no-restricted-syntax */
  const { entities, raw } = await builder.getRawAndEntities<Record<string, unknown>>();
  const items = entities.slice(0, limit);
  const last = items.at(-1);
  if (entities.length <= limit || !last) return { items, nextCursor: null };
  const lastRaw = raw.find((row) => row[`${alias}_id`] === last.id);
  return { items, nextCursor: encodeCursor({ at: lastRaw![KEYSET_INSTANT] as string, id: last.id }) };
}

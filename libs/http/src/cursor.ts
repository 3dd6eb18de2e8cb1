import { HttpStatus } from '@nestjs/common';
import { ProblemException } from './problem-details';

/** Position after the last row of a page, for keyset pagination ordered by (instant, id) (see keysetPage). */
export interface CursorPosition {
  /** The ordering instant as PostgreSQL wrote it (ISO 8601 UTC, to the microsecond its columns keep). */
  readonly at: string;
  readonly id: string;
}

/** An instant PostgreSQL can compare exactly with a timestamptz: `2026-12-01T09:24:00.123456Z`. */
const EXACT_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
/** What PostgreSQL casts to uuid (a forged id of 36 dashes used to reach the query and fail there: 500). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A day and time that exist (Date.parse rolls 2025-02-30 over to March, PostgreSQL refuses it), after year 0. */
function onTheCalendar(at: string): boolean {
  const instant = Date.parse(at);
  return !Number.isNaN(instant) && !at.startsWith('0000') && new Date(instant).toISOString().slice(0, 19) === at.slice(0, 19);
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ at: position.at, id: position.id })).toString('base64url');
}

/** Reads a cursor from a query string; a forged or damaged one is a 400 naming `cursor`. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at: string; id: string };
    if (typeof at !== 'string' || !EXACT_INSTANT.test(at) || !onTheCalendar(at)) throw new Error('bad cursor');
    if (typeof id !== 'string' || !UUID.test(id)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'cursor is not a cursor this API handed out', {
      title: 'Validation failed',
      errors: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' }],
    });
  }
}

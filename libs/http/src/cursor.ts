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

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ at: position.at, id: position.id })).toString('base64url');
}

/** Reads a cursor from a query string; a forged or damaged one is a 400 naming `cursor`. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at: string; id: string };
    if (typeof at !== 'string' || !EXACT_INSTANT.test(at) || Number.isNaN(Date.parse(at))) throw new Error('bad cursor');
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'cursor is not a cursor this API handed out', {
      title: 'Validation failed',
      errors: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' }],
    });
  }
}

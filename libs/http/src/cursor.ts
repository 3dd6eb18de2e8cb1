import { HttpStatus } from '@nestjs/common';
import { ProblemException } from './problem-details';

/** Position after the last row of a page, for keyset pagination ordered by (instant DESC, id DESC). */
export interface CursorPosition {
  readonly at: Date;
  readonly id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ at: position.at.toISOString(), id: position.id })).toString('base64url');
}

/** Reads a cursor from a query string; a forged or damaged one is a 400 naming `cursor`. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at: string; id: string };
    const instant = new Date(at);
    if (Number.isNaN(instant.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad cursor');
    return { at: instant, id };
  } catch {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'cursor is not a cursor this API handed out', {
      title: 'Validation failed',
      errors: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' }],
    });
  }
}

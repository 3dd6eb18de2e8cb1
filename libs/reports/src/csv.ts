import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | null;
}

/** True when the client asked for CSV rather than JSON (`Accept: text/csv`). */
export function wantsCsv(accept: string | undefined): boolean {
  return /\btext\/csv\b/i.test(accept ?? '');
}

/**
 * A CSV download with a header row. The BOM is what makes Excel read the file as UTF-8 and show the
 * Chinese text instead of mojibake. Text cells a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, a tab or CR, or their full-width forms) get a leading `'` (csv-stringify's `escape_formulas`;
 * numbers stay numbers, negative ones included): a company named `=HYPERLINK(…)` is shown, not run. The
 * caller returns the text and Nest sends it with these headers.
 */
export function csvDownload<T>(response: Response, filename: string, columns: ReadonlyArray<CsvColumn<T>>, rows: readonly T[]): string {
  const records = rows.map((row) => columns.map((column) => column.value(row) ?? ''));
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  return stringify([columns.map((column) => column.header), ...records], { bom: true, record_delimiter: 'windows', escape_formulas: true });
}

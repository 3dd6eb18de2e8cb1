/** Ticket numbers read 8890-YYYYMMDD-NNNNNN: the local dispatch date and that day's sequence. */
export function formatTicketNumber(localDate: string, sequence: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(localDate)) throw new Error(`bad local date ${localDate}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) {
    throw new Error(`ticket sequence ${sequence} is outside 1..999999`);
  }
  return `8890-${localDate.replaceAll('-', '')}-${String(sequence).padStart(6, '0')}`;
}

import { ProblemException } from '@app/http';
import { csvFilename } from './report-csv';
import { seasonFirstYear } from '@app/domain';
import { parseReportInstant, reportRangeFor, resolveReportRange, seasonRange } from './report-range';

describe('parseReportInstant', () => {
  it.each([
    ['2025-01-10', '2025-01-09T16:00:00.000Z'], // a date is Shanghai midnight
    ['2024-02-29', '2024-02-28T16:00:00.000Z'],
    ['2025-01-10T08:00', '2025-01-10T00:00:00.000Z'], // no offset: Shanghai time
    ['2025-01-10T08:00:30', '2025-01-10T00:00:30.000Z'],
    ['2025-01-10T08:00:00.123456789', '2025-01-10T00:00:00.123Z'],
    ['2025-01-10T08:00Z', '2025-01-10T08:00:00.000Z'],
    ['2025-01-10T08:00:00.5Z', '2025-01-10T08:00:00.500Z'],
    ['2025-01-10T08:00:00+08:00', '2025-01-10T00:00:00.000Z'],
    ['2025-01-10T08:00+0800', '2025-01-10T00:00:00.000Z'],
    ['2025-01-10T08:00-05:30', '2025-01-10T13:30:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseReportInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '',
    'x',
    'last week',
    '2025-02-30',
    '2025-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-01-32',
    '2025-01-10T',
    '2025-01-10Z',
    '2025-01-10T08',
    '2025-01-10T24:00',
    '2025-01-10T23:60',
    '2025-01-10T23:59:60',
    '2025-01-10T08:00+08',
    '2025-01-10T08:00+24:00',
    '2025-01-10T08:00:00,5',
    '20250110',
    '2025-W02-5',
    '2025-010',
    ' 2025-01-10',
  ])('refuses %j', (text) => {
    expect(parseReportInstant(text)).toBeUndefined();
  });
});

describe('resolveReportRange', () => {
  const now = new Date('2025-01-10T04:00:00Z');

  it('defaults to the 7 days up to now, and one bound alone to 7 days from it', () => {
    expect(resolveReportRange({}, now)).toEqual({ from: new Date('2025-01-03T04:00:00Z'), to: now });
    expect(resolveReportRange({ from: '2025-01-01' }, now)).toEqual({ from: new Date('2024-12-31T16:00:00Z'), to: new Date('2025-01-07T16:00:00Z') });
  });

  it('answers 400 naming the field', () => {
    const fields = (query: { from?: string; to?: string }): string[] => {
      try {
        resolveReportRange(query, now);
      } catch (error) {
        expect(error).toBeInstanceOf(ProblemException);
        return ((error as ProblemException).getResponse() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
      }
      throw new Error('accepted');
    };
    expect(fields({ to: '2025-02-30' })).toEqual(['to']);
    expect(fields({ from: 'x', to: 'y' })).toEqual(['from', 'to']);
    expect(fields({ from: '2025-01-10', to: '2025-01-10' })).toEqual(['to']);
    expect(fields({ from: '2024-01-01', to: '2025-06-01' })).toEqual(['to']);
  });
});

describe('resolveReportRange with a heating season', () => {
  const now = new Date('2025-01-10T04:00:00Z');
  const season = { starts: '2026-11-15', ends: '2027-03-15' };
  const fields = (query: { from?: string; to?: string; season?: string }, dates?: { starts: string; ends: string }): string[] => {
    try {
      resolveReportRange(query, now, dates);
    } catch (error) {
      return ((error as ProblemException).getResponse() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    }
    throw new Error('accepted');
  };

  it('runs from the first day’s Shanghai midnight to the midnight after the last day', () => {
    expect(resolveReportRange({ season: '2026-2027' }, now, season)).toEqual({ from: new Date('2026-11-14T16:00:00Z'), to: new Date('2027-03-15T16:00:00Z') });
    expect(seasonRange({ starts: '2026-11-01', ends: '2027-03-31' })).toEqual({ from: new Date('2026-10-31T16:00:00Z'), to: new Date('2027-03-31T16:00:00Z') });
  });

  it('answers 400 naming season with from/to, or without dates (a malformed name)', () => {
    expect(fields({ season: '2026-2027', from: '2026-11-01' }, season)).toEqual(['season']);
    expect(fields({ season: '2026-2027', to: '2027-01-01' }, season)).toEqual(['season']);
    expect(fields({ season: '2026' })).toEqual(['season']);
    expect(fields({ season: '2026-2027' }, { starts: '2026-01-01', ends: '2027-03-15' })).toEqual(['season']); // over the 366-day cap
  });

  it('takes the dates through a lookup only when the query names a season', async () => {
    const datesOf = jest.fn(async (name: string) => (seasonFirstYear(name) === undefined ? undefined : season));
    expect(await reportRangeFor({ season: '2026-2027' }, { datesOf }, now)).toEqual(seasonRange(season));
    await expect(reportRangeFor({ season: '2026-2028' }, { datesOf }, now)).rejects.toBeInstanceOf(ProblemException);
    datesOf.mockClear();
    await reportRangeFor({ from: '2025-01-01' }, { datesOf }, now);
    expect(datesOf).not.toHaveBeenCalled();
  });
});

describe('csvFilename', () => {
  it('names the Asia/Shanghai days of the range', () => {
    // 16:00Z is already the next day in Shanghai.
    expect(csvFilename('companies', { from: new Date('2025-01-05T16:00:00Z'), to: new Date('2025-01-13T15:59:59Z') })).toBe('companies-20250106-20250113.csv');
    expect(csvFilename('overdue')).toMatch(/^overdue-\d{8}\.csv$/);
  });
});

import { defaultSeasonDates, seasonDatesProblems, seasonFirstYear, seasonFirstYearAt, seasonName } from './heating-season';

describe('heating season (domain.md §3: 11-15 → 03-15, moved by the city)', () => {
  it('reads a season name as two consecutive years', () => {
    expect(seasonFirstYear('2026-2027')).toBe(2026);
    expect(seasonName(2026)).toBe('2026-2027');
    for (const bad of ['2026', '2026-2028', '2027-2026', '26-27', '2026-2027 ', '1999-2000', '2100-2101', '']) expect(seasonFirstYear(bad)).toBeUndefined();
  });

  it('defaults to the statutory dates', () => {
    expect(defaultSeasonDates(2026)).toEqual({ starts: '2026-11-15', ends: '2027-03-15' });
  });

  it('names the season under way or next by the Asia/Shanghai day', () => {
    expect(seasonFirstYearAt(new Date('2027-01-10T00:00:00Z'))).toBe(2026);
    expect(seasonFirstYearAt(new Date('2026-06-30T15:59:59Z'))).toBe(2025);
    expect(seasonFirstYearAt(new Date('2026-06-30T16:00:00Z'))).toBe(2026); // 07-01 in Shanghai
  });

  it('names each field that does not fit the season', () => {
    expect(seasonDatesProblems(2026, { starts: '2026-11-01', ends: '2027-03-31' })).toEqual([]);
    expect(seasonDatesProblems(2026, { starts: '2027-11-01', ends: '2026-03-31' }).map((p) => p.field)).toEqual(['starts', 'ends']);
    expect(seasonDatesProblems(2026, { starts: '2026-02-30', ends: '2027-03-31' }).map((p) => p.field)).toEqual(['starts']);
    expect(seasonDatesProblems(2026, { starts: '2026-01-01', ends: '2027-01-02' }).map((p) => p.field)).toEqual(['ends']); // 367 days
    expect(seasonDatesProblems(2026, { starts: '2026-01-02', ends: '2027-01-02' })).toEqual([]); // 366 days
  });
});

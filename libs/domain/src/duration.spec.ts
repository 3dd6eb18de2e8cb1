import { formatDurationZh, formatIsoDuration, InvalidDurationError, isValidDuration, parseDurationMs } from './duration';

describe('parseDurationMs', () => {
  it.each([
    ['PT1S', 1000],
    ['PT15M', 15 * 60_000],
    ['PT24H', 24 * 3_600_000],
    ['P1D', 86_400_000],
    ['P5D', 5 * 86_400_000],
    ['P1DT2H', 26 * 3_600_000],
    ['P1W', 7 * 86_400_000],
    ['PT1H30M5S', 5_405_000],
    ['P1W2D', 9 * 86_400_000],
    ['P1DT0H', 86_400_000],
    ['PT01S', 1000],
  ])('%s is %d ms', (value, ms) => {
    expect(parseDurationMs(value)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1M', 'P1Y', 'PT0S', 'P0D', '15M', 'PT1.5H', 'PT-1S', 'pt1s', 'P1DT'])('refuses %j', (value) => {
    expect(() => parseDurationMs(value)).toThrow(InvalidDurationError);
    expect(isValidDuration(value)).toBe(false);
  });

  // Luxon's ISO parser reads all of these; the domain does not.
  it.each([
    ['a fraction', 'PT1.5S'],
    ['a comma fraction', 'PT1,5S'],
    ['a fraction of a whole number', 'P1.0D'],
    ['a negative duration', '-P1D'],
    ['a negative unit', 'P-1D'],
    ['a negative part', 'PT1H-1M'],
    ['a zero month', 'P0M'],
    ['a year beside days', 'P1Y0D'],
    ['a dangling T', 'PT'],
    ['no unit at all', 'P'],
    ['more milliseconds than a safe integer', 'P99999999999999999999D'],
  ])('refuses %s (%s)', (_, value) => {
    expect(() => parseDurationMs(value)).toThrow(InvalidDurationError);
  });

  it('refuses non-strings', () => {
    expect(isValidDuration(60)).toBe(false);
    expect(isValidDuration(null)).toBe(false);
  });
});

describe('formatDurationZh', () => {
  it.each([
    [45_000, '45秒'],
    [60_000, '1分钟'],
    [2 * 3_600_000 + 5 * 60_000, '2小时5分钟'],
    [86_400_000 + 3_600_000, '1天1小时'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDurationZh(ms)).toBe(text);
  });
});

describe('formatIsoDuration', () => {
  it.each([
    [0, 'PT0S'],
    [5_000, 'PT5S'],
    [26 * 3_600_000 + 5 * 60_000, 'PT26H5M'],
    [3_600_000 + 1000, 'PT1H1S'],
  ])('%d ms is %s, which parses back', (ms, iso) => {
    expect(formatIsoDuration(ms)).toBe(iso);
    if (ms > 0) expect(parseDurationMs(iso)).toBe(ms);
  });
});

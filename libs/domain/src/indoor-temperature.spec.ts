import {
  DEFAULT_INDOOR_STANDARD,
  IndoorStandardTerms,
  indoorStandardProblems,
  MEASUREMENT_CHECK_NAMES_ZH,
  MEASUREMENT_CHECKS,
  MeasurementMethod,
  methodFollowed,
  readingJudges,
  readingsFail,
  REFUND_EXCLUSION_NAMES_ZH,
  REFUND_EXCLUSIONS,
  RefundInput,
  refundLines,
  refundPercent,
  RemediationWindow,
  ROOM_TYPE_NAMES_ZH,
  ROOM_TYPES,
  StoredReading,
  ticketRefundLines,
} from './indoor-temperature';
import { localDate } from './work-calendar';

const FOLLOWED: MeasurementMethod = { doorsAndWindowsClosed: true, roomCentre: true, oneMetreHigh: true, stableValue: true };

/** 2026-12-01 10:00 in Tianjin: the failed visit. The remediation limit is 24 h later. */
const FAILED_AT = '2026-12-01T02:00:00Z';
const DUE_AT = '2026-12-02T02:00:00Z';

function reading(room: string, celsius: number, at: string, overrides: Partial<StoredReading> = {}): StoredReading {
  return { room, celsius, at, roomType: 'BEDROOM', method: FOLLOWED, measuredBy: 'crew-1', ...overrides };
}

function input(overrides: Partial<RefundInput> = {}): RefundInput {
  return {
    readings: [],
    standard: DEFAULT_INDOOR_STANDARD,
    remediation: { startsAt: FAILED_AT, dueAt: DUE_AT, doneAt: null },
    exclusion: null,
    until: new Date('2026-12-01T12:00:00Z'),
    ...overrides,
  };
}

/** The lines of a case fixed at `doneAt`, as room/day/percent triples. */
function linesFixedAt(doneAt: string, readings: readonly StoredReading[]) {
  return refundLines(input({ readings, remediation: { startsAt: FAILED_AT, dueAt: DUE_AT, doneAt } })).map(({ room, day, percent }) => ({ room, day, percent }));
}

describe('indoor temperature (domain.md §3)', () => {
  it('names every room type, check and exclusion in Chinese', () => {
    for (const roomType of ROOM_TYPES) expect(ROOM_TYPE_NAMES_ZH[roomType]).toBeTruthy();
    for (const check of MEASUREMENT_CHECKS) expect(MEASUREMENT_CHECK_NAMES_ZH[check]).toBeTruthy();
    for (const exclusion of REFUND_EXCLUSIONS) expect(REFUND_EXCLUSION_NAMES_ZH[exclusion]).toBeTruthy();
    expect(ROOM_TYPE_NAMES_ZH.BEDROOM).toBe('卧室');
    expect(ROOM_TYPE_NAMES_ZH.LIVING_ROOM).toBe('起居室');
  });

  describe('refundPercent', () => {
    const tiers = DEFAULT_INDOOR_STANDARD.refundTiers;

    it('refunds by the tier of the shortfall, each bound inclusive', () => {
      expect(refundPercent(0.1, tiers)).toBe(10);
      expect(refundPercent(2, tiers)).toBe(10);
      expect(refundPercent(2.1, tiers)).toBe(50);
      expect(refundPercent(6, tiers)).toBe(50);
      expect(refundPercent(6.1, tiers)).toBe(100);
      expect(refundPercent(18, tiers)).toBe(100);
    });

    it('refunds nothing without a shortfall', () => {
      expect(refundPercent(0, tiers)).toBe(0);
      expect(refundPercent(-1.5, tiers)).toBe(0);
      expect(refundPercent(3, [])).toBe(0);
    });
  });

  describe('which readings judge the heating', () => {
    it('counts a reading only when every check of the method was followed', () => {
      expect(methodFollowed(reading('卧室', 15, FAILED_AT))).toBe(true);
      for (const check of MEASUREMENT_CHECKS) {
        const skipped = reading('卧室', 15, FAILED_AT, { method: { ...FOLLOWED, [check]: false } });
        expect(methodFollowed(skipped)).toBe(false);
        expect(readingJudges(skipped, DEFAULT_INDOOR_STANDARD)).toBe(false);
      }
    });

    it('judges by the rooms the standard names: the kitchen does not count by default', () => {
      const kitchen = reading('厨房', 10, FAILED_AT, { roomType: 'KITCHEN' });
      expect(readingJudges(kitchen, DEFAULT_INDOOR_STANDARD)).toBe(false);
      expect(readingsFail([kitchen], DEFAULT_INDOOR_STANDARD)).toBe(false);
      expect(readingsFail([kitchen], { celsius: 18, rooms: ['KITCHEN'] })).toBe(true);
      expect(readingJudges(reading('客厅', 15, FAILED_AT, { roomType: 'LIVING_ROOM' }), DEFAULT_INDOOR_STANDARD)).toBe(true);
    });

    it('lets a legacy reading (no room type, no method) judge', () => {
      const legacy = { room: '卧室', celsius: 17.9 };
      expect(methodFollowed(legacy)).toBe(true);
      expect(readingJudges(legacy, DEFAULT_INDOOR_STANDARD)).toBe(true);
      expect(readingsFail([legacy], DEFAULT_INDOOR_STANDARD)).toBe(true);
    });

    it('fails below the standard only, at the configured threshold', () => {
      expect(readingsFail([reading('卧室', 18, FAILED_AT)], DEFAULT_INDOOR_STANDARD)).toBe(false);
      expect(readingsFail([reading('卧室', 19, FAILED_AT)], { celsius: 20, rooms: ['BEDROOM'] })).toBe(true);
      expect(readingsFail([reading('卧室', 15, FAILED_AT, { method: { ...FOLLOWED, stableValue: false } })], DEFAULT_INDOOR_STANDARD)).toBe(false);
      expect(readingsFail([], DEFAULT_INDOOR_STANDARD)).toBe(false);
    });
  });

  describe('refundLines', () => {
    const fixedLate = '2026-12-03T03:00:00Z'; // 12-03 11:00 local, a day after the limit

    it('gives no lines for a case fixed in time, or right at the limit', () => {
      const readings = [reading('卧室', 12, FAILED_AT), reading('卧室', 19, '2026-12-01T20:00:00Z')];
      expect(linesFixedAt('2026-12-01T20:00:00Z', readings)).toEqual([]);
      expect(linesFixedAt(DUE_AT, [readings[0], reading('卧室', 19, DUE_AT)])).toEqual([]);
    });

    it('gives no lines without a remediation or with an exclusion', () => {
      const readings = [reading('卧室', 12, FAILED_AT)];
      const late = { startsAt: FAILED_AT, dueAt: DUE_AT, doneAt: fixedLate };
      expect(refundLines(input({ readings, remediation: late }))).toHaveLength(3);
      expect(refundLines(input({ readings, remediation: null }))).toEqual([]);
      for (const exclusion of REFUND_EXCLUSIONS) expect(refundLines(input({ readings, remediation: late, exclusion }))).toEqual([]);
    });

    it('refunds each failing room for each day of a case fixed late; the passing room gets nothing', () => {
      const readings = [
        reading('主卧', 15, FAILED_AT),
        reading('客厅', 16, FAILED_AT, { roomType: 'LIVING_ROOM' }),
        reading('次卧', 19, FAILED_AT),
        reading('主卧', 19, fixedLate),
        reading('客厅', 18.5, fixedLate, { roomType: 'LIVING_ROOM' }),
        reading('次卧', 20, fixedLate),
      ];
      const lines = refundLines(input({ readings, remediation: { startsAt: FAILED_AT, dueAt: DUE_AT, doneAt: fixedLate } }));
      expect(lines).toEqual([
        { room: '主卧', roomType: 'BEDROOM', day: '2026-12-01', celsius: 15, shortfall: 3, percent: 50 },
        { room: '主卧', roomType: 'BEDROOM', day: '2026-12-02', celsius: 15, shortfall: 3, percent: 50 },
        { room: '主卧', roomType: 'BEDROOM', day: '2026-12-03', celsius: 15, shortfall: 3, percent: 50 },
        { room: '客厅', roomType: 'LIVING_ROOM', day: '2026-12-01', celsius: 16, shortfall: 2, percent: 10 },
        { room: '客厅', roomType: 'LIVING_ROOM', day: '2026-12-02', celsius: 16, shortfall: 2, percent: 10 },
        { room: '客厅', roomType: 'LIVING_ROOM', day: '2026-12-03', celsius: 16, shortfall: 2, percent: 10 },
      ]);
    });

    it('rounds the shortfall to 0.1 °C before the tier: each boundary', () => {
      const readings = [reading('a', 16, FAILED_AT), reading('b', 15.9, FAILED_AT), reading('c', 12, FAILED_AT), reading('d', 11.9, FAILED_AT)];
      const lines = refundLines(input({ readings, until: new Date('2026-12-02T03:00:00Z') })).filter((line) => line.day === '2026-12-01');
      expect(lines.map(({ room, shortfall, percent }) => ({ room, shortfall, percent }))).toEqual([
        { room: 'a', shortfall: 2, percent: 10 },
        { room: 'b', shortfall: 2.1, percent: 50 },
        { room: 'c', shortfall: 6, percent: 50 },
        { room: 'd', shortfall: 6.1, percent: 100 },
      ]);
    });

    it('leaves out the kitchen, readings off the method, and readings after the case ended', () => {
      const readings = [
        reading('卧室', 15, FAILED_AT),
        reading('厨房', 8, FAILED_AT, { roomType: 'KITCHEN' }),
        reading('客厅', 10, FAILED_AT, { roomType: 'LIVING_ROOM', method: { ...FOLLOWED, doorsAndWindowsClosed: false } }),
        reading('卧室', 19, fixedLate),
        reading('书房', 12, '2026-12-04T02:00:00Z'),
      ];
      expect(linesFixedAt(fixedLate, readings).map((line) => line.room)).toEqual(['卧室', '卧室', '卧室']);
    });

    it('counts the kitchen when the standard names it', () => {
      const standard: IndoorStandardTerms = { ...DEFAULT_INDOOR_STANDARD, rooms: ['BEDROOM', 'LIVING_ROOM', 'KITCHEN'] };
      const readings = [reading('厨房', 15, FAILED_AT, { roomType: 'KITCHEN' })];
      expect(refundLines(input({ readings, standard, until: new Date('2026-12-02T03:00:00Z') })).map((line) => line.roomType)).toEqual(['KITCHEN', 'KITCHEN']);
    });

    it('lets a legacy reading judge, with no room type on its lines', () => {
      const readings: StoredReading[] = [{ room: '卧室', celsius: 14, at: FAILED_AT }];
      expect(refundLines(input({ readings, until: new Date('2026-12-02T03:00:00Z') }))).toEqual([
        { room: '卧室', roomType: null, day: '2026-12-01', celsius: 14, shortfall: 4, percent: 50 },
        { room: '卧室', roomType: null, day: '2026-12-02', celsius: 14, shortfall: 4, percent: 50 },
      ]);
    });

    it('judges an unfixed case up to `until`', () => {
      const readings = [reading('卧室', 17, FAILED_AT)];
      const lines = refundLines(input({ readings, until: new Date('2026-12-04T01:00:00Z') }));
      expect(lines.map((line) => line.day)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
      expect(refundLines(input({ readings, until: new Date(DUE_AT) }))).toEqual([]);
    });

    it('counts days in Asia/Shanghai', () => {
      expect(localDate(new Date('2026-12-01T16:30:00Z'))).toBe('2026-12-02');
      const failedAt = '2026-12-01T16:30:00Z'; // 12-02 00:30 local
      const readings = [reading('卧室', 15, failedAt)];
      const remediation = { startsAt: failedAt, dueAt: '2026-12-02T16:30:00Z', doneAt: null };
      expect(refundLines(input({ readings, remediation, until: new Date('2026-12-03T15:59:59Z') })).map((line) => line.day)).toEqual(['2026-12-02', '2026-12-03']);
      expect(refundLines(input({ readings, remediation, until: new Date('2026-12-03T16:00:00Z') })).map((line) => line.day)).toEqual(['2026-12-02', '2026-12-03', '2026-12-04']);
    });

    it("counts a day's lowest failing reading, else the latest failing one before it", () => {
      const readings = [
        reading('卧室', 16, '2026-12-01T08:00:00Z'),
        reading('卧室', 14, FAILED_AT),
        reading('卧室', 17, '2026-12-03T02:00:00Z'),
        reading('卧室', 16.5, '2026-12-03T05:00:00Z'),
      ];
      const lines = refundLines(input({ readings, until: new Date('2026-12-04T02:00:00Z') }));
      expect(lines.map(({ day, celsius }) => ({ day, celsius }))).toEqual([
        { day: '2026-12-01', celsius: 14 },
        { day: '2026-12-02', celsius: 16 },
        { day: '2026-12-03', celsius: 16.5 },
        { day: '2026-12-04', celsius: 16.5 },
      ]);
    });

    it('ends a cold spell at the passing reading and starts another when the room fails again', () => {
      const readings = [
        reading('卧室', 15, FAILED_AT),
        reading('卧室', 19, '2026-12-02T02:00:00Z'),
        reading('卧室', 18, '2026-12-03T02:00:00Z'),
        reading('卧室', 13, '2026-12-04T02:00:00Z'),
      ];
      const lines = refundLines(input({ readings, until: new Date('2026-12-05T02:00:00Z') }));
      expect(lines.map(({ day, celsius }) => ({ day, celsius }))).toEqual([
        { day: '2026-12-01', celsius: 15 },
        { day: '2026-12-02', celsius: 15 }, // the day the spell ended
        { day: '2026-12-04', celsius: 13 },
        { day: '2026-12-05', celsius: 13 },
      ]);
    });

    it('keeps one line per room and day, the larger shortfall, and groups room names trimmed', () => {
      const readings = [
        reading(' 卧室 ', 12, '2026-12-01T06:00:00Z'),
        reading('卧室', 19, '2026-12-01T04:00:00Z'),
        reading('卧室', 15, FAILED_AT),
      ];
      const lines = refundLines(input({ readings, until: new Date('2026-12-02T03:00:00Z') }));
      expect(lines.map(({ room, day, shortfall }) => ({ room, day, shortfall }))).toEqual([
        { room: '卧室', day: '2026-12-01', shortfall: 6 },
        { room: '卧室', day: '2026-12-02', shortfall: 6 },
      ]);
    });

    it('sorts lines by room, then day, whatever the order of the readings', () => {
      const readings = [reading('b', 15, FAILED_AT), reading('a', 15, '2026-12-02T01:00:00Z'), reading('a', 16, FAILED_AT)];
      const lines = refundLines(input({ readings, until: new Date('2026-12-02T03:00:00Z') }));
      expect(lines.map(({ room, day }) => `${room} ${day}`)).toEqual(['a 2026-12-01', 'a 2026-12-02', 'b 2026-12-01', 'b 2026-12-02']);
    });
  });

  describe('indoorStandardProblems', () => {
    const valid = DEFAULT_INDOOR_STANDARD;
    const problemsWith = (overrides: Partial<Record<keyof IndoorStandardTerms, unknown>>) =>
      indoorStandardProblems({ ...valid, ...overrides } as IndoorStandardTerms);

    it('accepts the default and the bounds of the threshold', () => {
      expect(indoorStandardProblems(valid)).toEqual([]);
      expect(problemsWith({ celsius: 10 })).toEqual([]);
      expect(problemsWith({ celsius: 30 })).toEqual([]);
      expect(problemsWith({ celsius: 20.5, rooms: ['OTHER'], refundTiers: [{ maxShortfall: null, percent: 100 }] })).toEqual([]);
    });

    it('rejects a threshold that is not a number within 10..30', () => {
      for (const celsius of [9.9, 30.1, Number.NaN, Number.POSITIVE_INFINITY, '18', null]) {
        expect(problemsWith({ celsius })).toEqual(['celsius must be a number within 10..30']);
      }
    });

    it('rejects empty, duplicate and unknown rooms', () => {
      expect(problemsWith({ rooms: [] })).toEqual(['rooms must name at least one room type']);
      expect(problemsWith({ rooms: undefined })).toEqual(['rooms must name at least one room type']);
      expect(problemsWith({ rooms: ['BEDROOM', 'BEDROOM'] })).toEqual(['rooms: BEDROOM is listed twice']);
      expect(problemsWith({ rooms: ['BEDROOM', 'GARAGE'] })).toHaveLength(1);
      expect(problemsWith({ rooms: ['BEDROOM', 'GARAGE'] })[0]).toMatch(/^rooms: "GARAGE" is not a room type/);
    });

    it('rejects tiers that leave a shortfall uncovered or are out of order', () => {
      const tier = (maxShortfall: number | null, percent: number) => ({ maxShortfall, percent });
      const cases: [unknown, string][] = [
        [[], 'refundTiers must have at least one tier'],
        [undefined, 'refundTiers must have at least one tier'],
        [[tier(2, 10), tier(6, 50)], 'refundTiers[1].maxShortfall must be null: the last tier covers every larger shortfall'],
        [[tier(null, 10), tier(null, 100)], 'refundTiers[0].maxShortfall may be null only on the last tier'],
        [[tier(0, 10), tier(null, 100)], 'refundTiers[0].maxShortfall must be a positive number'],
        [[tier(-1, 10), tier(null, 100)], 'refundTiers[0].maxShortfall must be a positive number'],
        [[tier(Number.NaN, 10), tier(null, 100)], 'refundTiers[0].maxShortfall must be a positive number'],
        [[tier(2, 10), tier(2, 50), tier(null, 100)], 'refundTiers[1].maxShortfall must be larger than the tier before'],
        [[tier(6, 10), tier(2, 50), tier(null, 100)], 'refundTiers[1].maxShortfall must be larger than the tier before'],
        [[tier(2, 0), tier(null, 100)], 'refundTiers[0].percent must be an integer within 1..100'],
        [[tier(2, 10), tier(null, 101)], 'refundTiers[1].percent must be an integer within 1..100'],
        [[tier(2, 10.5), tier(null, 100)], 'refundTiers[0].percent must be an integer within 1..100'],
        [[tier(2, 50), tier(null, 10)], 'refundTiers[1].percent must not be smaller than the tier before'],
      ];
      for (const [refundTiers, problem] of cases) expect(problemsWith({ refundTiers })).toEqual([problem]);
    });

    it('lists every problem at once', () => {
      expect(problemsWith({ celsius: 5, rooms: [], refundTiers: [] })).toHaveLength(3);
    });
  });
});

describe('ticketRefundLines: a ticket over its dispatches', () => {
  // Dispatch 1 from 12-01 08:00 local, reassigned 12-03 08:00; dispatch 2 from then on, still current.
  const REASSIGNED_AT = '2026-12-03T00:00:00Z';
  const first: RemediationWindow = {
    from: '2026-12-01T00:00:00Z',
    to: REASSIGNED_AT,
    remediation: { startsAt: FAILED_AT, dueAt: DUE_AT, doneAt: null },
  };
  const second: RemediationWindow = {
    from: REASSIGNED_AT,
    to: null,
    remediation: { startsAt: '2026-12-03T02:00:00Z', dueAt: '2026-12-04T02:00:00Z', doneAt: null },
  };
  const until = new Date('2026-12-05T02:00:00Z');
  const ticket = (readings: readonly StoredReading[], exclusion: RefundInput['exclusion'] = null) => ({ readings, standard: DEFAULT_INDOOR_STANDARD, exclusion, until });
  const brief = (lines: ReturnType<typeof ticketRefundLines>) => lines.map(({ room, day, celsius, shortfall, percent }) => ({ room, day, celsius, shortfall, percent }));

  const readings = [
    reading('卧室', 15, FAILED_AT),
    reading('卧室', 12, '2026-12-03T02:00:00Z'),
    reading('客厅', 17, '2026-12-03T03:00:00Z', { roomType: 'LIVING_ROOM' }),
  ];
  const merged = [
    { room: '卧室', day: '2026-12-01', celsius: 15, shortfall: 3, percent: 50 },
    { room: '卧室', day: '2026-12-02', celsius: 15, shortfall: 3, percent: 50 },
    // Both dispatches judge 12-03: the second one's larger shortfall counts.
    { room: '卧室', day: '2026-12-03', celsius: 12, shortfall: 6, percent: 50 },
    { room: '卧室', day: '2026-12-04', celsius: 12, shortfall: 6, percent: 50 },
    { room: '卧室', day: '2026-12-05', celsius: 12, shortfall: 6, percent: 50 },
    { room: '客厅', day: '2026-12-03', celsius: 17, shortfall: 1, percent: 10 },
    { room: '客厅', day: '2026-12-04', celsius: 17, shortfall: 1, percent: 10 },
    { room: '客厅', day: '2026-12-05', celsius: 17, shortfall: 1, percent: 10 },
  ];

  it('judges each dispatch up to its own end and merges one line per room and day, the larger shortfall', () => {
    expect(brief(ticketRefundLines([first, second], ticket(readings)))).toEqual(merged);
    // The first dispatch alone ends at the reassignment (12-03 08:00 local), not at `until`.
    expect(brief(ticketRefundLines([first], ticket(readings))).map(({ day, shortfall }) => `${day} ${shortfall}`)).toEqual(['2026-12-01 3', '2026-12-02 3', '2026-12-03 3']);
  });

  it('keeps the larger shortfall whatever the order of the dispatches', () => {
    expect(brief(ticketRefundLines([second, first], ticket(readings)))).toEqual(merged);
    expect(brief(ticketRefundLines([second, first], ticket([...readings].reverse())))).toEqual(merged);
  });

  it("reads each dispatch's remediation on the readings taken while it was current", () => {
    // The first dispatch fixed its case in time; its cold reading must not start a case in the second.
    const fixedInTime: RemediationWindow = { ...first, remediation: { startsAt: FAILED_AT, dueAt: DUE_AT, doneAt: '2026-12-01T10:00:00Z' } };
    const spread = [reading('卧室', 10, FAILED_AT), reading('卧室', 19, '2026-12-01T10:00:00Z'), reading('卧室', 16, '2026-12-03T02:00:00Z')];
    expect(brief(ticketRefundLines([fixedInTime, second], ticket(spread)))).toEqual([
      { room: '卧室', day: '2026-12-03', celsius: 16, shortfall: 2, percent: 10 },
      { room: '卧室', day: '2026-12-04', celsius: 16, shortfall: 2, percent: 10 },
      { room: '卧室', day: '2026-12-05', celsius: 16, shortfall: 2, percent: 10 },
    ]);
    // A reading taken after the first dispatch ended is not the first dispatch's.
    const lateOnly = [reading('卧室', 19, '2026-12-01T01:00:00Z'), reading('卧室', 11, '2026-12-03T05:00:00Z')];
    expect(ticketRefundLines([first], ticket(lateOnly))).toEqual([]);
  });

  it('adds nothing for a dispatch without a remediation', () => {
    const noRemediation: RemediationWindow = { ...first, remediation: null };
    expect(ticketRefundLines([noRemediation], ticket(readings))).toEqual([]);
    expect(brief(ticketRefundLines([noRemediation, second], ticket(readings)))).toEqual([
      { room: '卧室', day: '2026-12-03', celsius: 12, shortfall: 6, percent: 50 },
      { room: '卧室', day: '2026-12-04', celsius: 12, shortfall: 6, percent: 50 },
      { room: '卧室', day: '2026-12-05', celsius: 12, shortfall: 6, percent: 50 },
      { room: '客厅', day: '2026-12-03', celsius: 17, shortfall: 1, percent: 10 },
      { room: '客厅', day: '2026-12-04', celsius: 17, shortfall: 1, percent: 10 },
      { room: '客厅', day: '2026-12-05', celsius: 17, shortfall: 1, percent: 10 },
    ]);
    expect(ticketRefundLines([], ticket(readings))).toEqual([]);
  });

  it('gives no lines at all under a refund exclusion', () => {
    for (const exclusion of REFUND_EXCLUSIONS) expect(ticketRefundLines([first, second], ticket(readings, exclusion))).toEqual([]);
  });

  it('judges a current dispatch up to `until` only, and an ended one no later than it', () => {
    const early = { ...ticket(readings), until: new Date('2026-12-02T12:00:00Z') };
    expect(brief(ticketRefundLines([first], early)).map((line) => line.day)).toEqual(['2026-12-01', '2026-12-02']);
  });
});

describe('ticketRefundLines while a pause holds the remediation', () => {
  const method = { doorsAndWindowsClosed: true, roomCentre: true, oneMetreHigh: true, stableValue: true };
  const readings = [{ room: '主卧', roomType: 'BEDROOM' as const, celsius: 15, method, at: '2026-12-01T02:00:00.000Z' }];
  const dispatch = { from: '2026-12-01T00:00:00.000Z', to: null, remediation: { startsAt: '2026-12-01T02:00:00.000Z', dueAt: '2026-12-02T02:00:00.000Z', doneAt: null } };
  const facts = { readings, standard: DEFAULT_INDOOR_STANDARD, exclusion: null, until: new Date('2026-12-02T20:00:00.000Z') };

  it('owes nothing while the clock stands still, and counts again from the moved limit once the cap passed', () => {
    expect(ticketRefundLines([dispatch], facts).length).toBeGreaterThan(0);
    const pause = { stage: 'remediate', startedAt: '2026-12-01T20:00:00.000Z', endsBy: '2026-12-03T20:00:00.000Z' };
    // Paused 6 h before the limit; 18 h of stand-still by 20:00 on 12-02 move the limit to 20:00: not yet late.
    expect(ticketRefundLines([dispatch], { ...facts, activePause: pause })).toEqual([]);
    // A pause of an earlier stage does not hold the remediation.
    expect(ticketRefundLines([dispatch], { ...facts, activePause: { ...pause, stage: 'contact' } }).length).toBeGreaterThan(0);
  });
});

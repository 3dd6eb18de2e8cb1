import { localDate } from './work-calendar';

/** Room types of a reading; the standard applies to the ones it names (卧室, 起居室 by default). */
export const ROOM_TYPES = ['BEDROOM', 'LIVING_ROOM', 'KITCHEN', 'BATHROOM', 'OTHER'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];

export const ROOM_TYPE_NAMES_ZH: Record<RoomType, string> = {
  BEDROOM: '卧室',
  LIVING_ROOM: '起居室',
  KITCHEN: '厨房',
  BATHROOM: '卫生间',
  OTHER: '其他',
};

/** The measurement method of domain.md §3: each check the crew confirms. */
export const MEASUREMENT_CHECKS = ['doorsAndWindowsClosed', 'roomCentre', 'oneMetreHigh', 'stableValue'] as const;
export type MeasurementCheck = (typeof MEASUREMENT_CHECKS)[number];
export type MeasurementMethod = Record<MeasurementCheck, boolean>;

export const MEASUREMENT_CHECK_NAMES_ZH: Record<MeasurementCheck, string> = {
  doorsAndWindowsClosed: '关闭门窗',
  roomCentre: '房间中央',
  oneMetreHigh: '离地1米以上',
  stableValue: '读数稳定(约1分钟)',
};

/** A refund band: shortfalls up to `maxShortfall` °C (null = no upper bound) refund `percent` of the fee. */
export interface RefundTier {
  readonly maxShortfall: number | null;
  readonly percent: number;
}

/** One version of the indoor temperature standard, admin data; each ticket keeps the version it was created under. */
export interface IndoorStandardTerms {
  readonly celsius: number;
  readonly rooms: readonly RoomType[];
  readonly refundTiers: readonly RefundTier[];
}

export interface IndoorStandardSnapshot extends IndoorStandardTerms {
  readonly version: number;
}

/** domain.md §3: 卧室 and 起居室 ≥18 °C; refund 10 % up to 2 °C short, 50 % up to 6 °C, 100 % beyond. */
export const DEFAULT_INDOOR_STANDARD: IndoorStandardTerms = {
  celsius: 18,
  rooms: ['BEDROOM', 'LIVING_ROOM'],
  refundTiers: [
    { maxShortfall: 2, percent: 10 },
    { maxShortfall: 6, percent: 50 },
    { maxShortfall: null, percent: 100 },
  ],
};

/** Bounds of a plausible standard: domain.md §3 cites 18 °C (Tianjin) and 20 °C (Heilongjiang). */
const MIN_STANDARD_CELSIUS = 10;
const MAX_STANDARD_CELSIUS = 30;

function isRoomType(value: unknown): value is RoomType {
  return (ROOM_TYPES as readonly unknown[]).includes(value);
}

/**
 * Checks terms an admin submits; returns a list of problems in English (empty = valid): celsius a finite
 * number within 10..30; rooms non-empty, no duplicates, each a RoomType; tiers non-empty, maxShortfall
 * strictly increasing positive numbers, only the last may be null and it must be null (every shortfall has
 * a tier), percent integers in 1..100 non-decreasing. Defensive about shapes: the terms arrive as JSON.
 */
export function indoorStandardProblems(terms: IndoorStandardTerms): string[] {
  const problems: string[] = [];
  const { celsius, rooms, refundTiers } = terms;

  if (typeof celsius !== 'number' || !Number.isFinite(celsius) || celsius < MIN_STANDARD_CELSIUS || celsius > MAX_STANDARD_CELSIUS) {
    problems.push(`celsius must be a number within ${MIN_STANDARD_CELSIUS}..${MAX_STANDARD_CELSIUS}`);
  }

  if (!Array.isArray(rooms) || rooms.length === 0) {
    problems.push('rooms must name at least one room type');
  } else {
    const seen = new Set<unknown>();
    for (const room of rooms as readonly unknown[]) {
      if (!isRoomType(room)) problems.push(`rooms: ${JSON.stringify(room)} is not a room type (${ROOM_TYPES.join(', ')})`);
      else if (seen.has(room)) problems.push(`rooms: ${room} is listed twice`);
      seen.add(room);
    }
  }

  if (!Array.isArray(refundTiers) || refundTiers.length === 0) {
    problems.push('refundTiers must have at least one tier');
    return problems;
  }
  let previousBound = 0;
  let previousPercent = 0;
  refundTiers.forEach((tier: RefundTier, index: number) => {
    const name = `refundTiers[${index}]`;
    const isLast = index === refundTiers.length - 1;
    const bound: unknown = tier?.maxShortfall;
    if (isLast) {
      if (bound !== null) problems.push(`${name}.maxShortfall must be null: the last tier covers every larger shortfall`);
    } else if (bound === null) {
      problems.push(`${name}.maxShortfall may be null only on the last tier`);
    } else if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0) {
      problems.push(`${name}.maxShortfall must be a positive number`);
    } else if (bound <= previousBound) {
      problems.push(`${name}.maxShortfall must be larger than the tier before`);
    } else {
      previousBound = bound;
    }
    const percent: unknown = tier?.percent;
    if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 1 || percent > 100) {
      problems.push(`${name}.percent must be an integer within 1..100`);
    } else if (percent < previousPercent) {
      problems.push(`${name}.percent must not be smaller than the tier before`);
    } else {
      previousPercent = percent;
    }
  });
  return problems;
}

/** A reading as the API takes it. roomType/method/measuredBy are absent only on readings stored before they were recorded (legacy). */
export interface Reading {
  readonly room: string;
  readonly celsius: number;
  readonly roomType?: RoomType;
  readonly method?: MeasurementMethod;
  readonly measuredBy?: string;
}

export interface StoredReading extends Reading {
  /** ISO instant. */
  readonly at: string;
}

/** Whether the method was followed in full (a legacy reading without a method counts as followed). */
export function methodFollowed(reading: Reading): boolean {
  const { method } = reading;
  return method === undefined || MEASUREMENT_CHECKS.every((check) => method[check] === true);
}

/** Whether a reading judges the heating: in a room the standard names (legacy: no roomType → it judges) and measured by the method. */
export function readingJudges(reading: Reading, standard: Pick<IndoorStandardTerms, 'rooms'>): boolean {
  const namedRoom = reading.roomType === undefined || standard.rooms.includes(reading.roomType);
  return namedRoom && methodFollowed(reading);
}

/** Whether any judging reading is below the standard. */
export function readingsFail(readings: readonly Reading[], standard: Pick<IndoorStandardTerms, 'celsius' | 'rooms'>): boolean {
  return readings.some((reading) => readingJudges(reading, standard) && reading.celsius < standard.celsius);
}

/**
 * The refund percent for a shortfall > 0 (°C below the standard), by the first tier whose maxShortfall >=
 * shortfall (null = no bound). 0 for shortfall <= 0. Tiers that leave a shortfall uncovered (invalid terms)
 * give it the last tier's percent: it is at least as cold as that tier.
 */
export function refundPercent(shortfall: number, tiers: readonly RefundTier[]): number {
  if (!(shortfall > 0) || tiers.length === 0) return 0;
  const tier = tiers.find((candidate) => candidate.maxShortfall === null || shortfall <= candidate.maxShortfall);
  return (tier ?? tiers[tiers.length - 1]).percent;
}

/** domain.md §3: no refund if the user altered facilities, covered radiators, drained/took water, installed other devices. */
export const REFUND_EXCLUSIONS = ['ALTERED_FACILITIES', 'COVERED_RADIATORS', 'DRAINED_WATER', 'OTHER_DEVICES'] as const;
export type RefundExclusion = (typeof REFUND_EXCLUSIONS)[number];

export const REFUND_EXCLUSION_NAMES_ZH: Record<RefundExclusion, string> = {
  ALTERED_FACILITIES: '擅自改动供热设施',
  COVERED_RADIATORS: '遮挡散热器',
  DRAINED_WATER: '放水或取用系统热水',
  OTHER_DEVICES: '加装影响供热的设施',
};

export interface RefundLine {
  readonly room: string;
  readonly roomType: RoomType | null;
  /** YYYY-MM-DD in Asia/Shanghai. */
  readonly day: string;
  /** The day's reading that counts. */
  readonly celsius: number;
  /** °C below the standard, rounded to 0.1. */
  readonly shortfall: number;
  readonly percent: number;
}

export interface RefundInput {
  /** All of the ticket's readings, any order. */
  readonly readings: readonly StoredReading[];
  readonly standard: IndoorStandardTerms;
  /** The remediate stage (整改复测): started at the failed reading, due at the remediation limit (moved by extensions/pauses), done at the passing re-test; absent when no reading failed. */
  readonly remediation: { readonly startsAt: string; readonly dueAt: string; readonly doneAt: string | null } | null;
  readonly exclusion: RefundExclusion | null;
  /** Where an unfixed case is judged up to (now, or when the ticket closed/cancelled). */
  readonly until: Date;
}

/** A room below the standard from its first failing reading until a passing one (or the end of the case). */
interface ColdSpell {
  readonly failing: readonly StoredReading[];
  readonly endsAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar day after a YYYY-MM-DD date (plain date arithmetic: no zone is involved). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function coldSpells(readings: readonly StoredReading[], standardCelsius: number, caseEndsAt: number): ColdSpell[] {
  const spells: ColdSpell[] = [];
  let failing: StoredReading[] | null = null;
  for (const reading of readings) {
    if (reading.celsius < standardCelsius) {
      if (failing) failing.push(reading);
      else failing = [reading];
    } else if (failing) {
      spells.push({ failing, endsAt: Date.parse(reading.at) });
      failing = null;
    }
  }
  if (failing) spells.push({ failing, endsAt: caseEndsAt });
  return spells;
}

/** The reading that counts on `day`: the day's lowest failing reading, else the latest failing one before it. */
function countedReading(spell: ColdSpell, day: string): StoredReading | undefined {
  const ofTheDay = spell.failing.filter((reading) => localDate(new Date(reading.at)) === day);
  if (ofTheDay.length > 0) return ofTheDay.reduce((lowest, reading) => (reading.celsius < lowest.celsius ? reading : lowest));
  return spell.failing.filter((reading) => localDate(new Date(reading.at)) < day).at(-1);
}

/** Orders texts by code point: the same order on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * domain.md §3: refund-eligible when a failed reading is not fixed within the remediation limit; then per
 * affected room and per affected day, with the tier of the shortfall.
 *
 * 1. No lines if `exclusion` is set, or `remediation` is null, or the case was fixed in time: the case ends
 *    at `remediation.doneAt ?? until`, and ending at or before `dueAt` is in time.
 * 2. Only judging readings (readingJudges) count, grouped by room name (trimmed) and taken in time order.
 *    Readings after the end of the case do not count. A room is in a cold spell from a failing reading
 *    (below `standard.celsius`) until its next passing reading, else until the end of the case; a room that
 *    fails again after passing starts another spell.
 * 3. A spell affects every Asia/Shanghai day from that of its first failing reading to that of its end,
 *    both inclusive.
 * 4. On each affected day the reading that counts is the room's lowest failing reading of that day in the
 *    spell, else the latest failing one before that day. Shortfall = standard − reading, rounded to 0.1 °C;
 *    percent by `refundPercent`.
 * 5. One line per room per day (where two spells share a day, the larger shortfall), sorted by room then day.
 */
export function refundLines(input: RefundInput): RefundLine[] {
  const { readings, standard, remediation, exclusion, until } = input;
  if (exclusion !== null || remediation === null) return [];
  const caseEndsAt = remediation.doneAt === null ? until.getTime() : Date.parse(remediation.doneAt);
  if (caseEndsAt <= Date.parse(remediation.dueAt)) return [];

  const byRoom = new Map<string, StoredReading[]>();
  for (const reading of readings) {
    if (!readingJudges(reading, standard) || Date.parse(reading.at) > caseEndsAt) continue;
    const room = reading.room.trim();
    byRoom.set(room, [...(byRoom.get(room) ?? []), reading]);
  }

  const lines = new Map<string, RefundLine>();
  for (const [room, roomReadings] of byRoom) {
    const inTimeOrder = [...roomReadings].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    for (const spell of coldSpells(inTimeOrder, standard.celsius, caseEndsAt)) {
      const lastDay = localDate(new Date(spell.endsAt));
      for (let day = localDate(new Date(spell.failing[0].at)); day <= lastDay; day = nextDay(day)) {
        const counted = countedReading(spell, day);
        if (counted === undefined) continue;
        const shortfall = Math.round((standard.celsius - counted.celsius) * 10) / 10;
        const key = `${room}\u0000${day}`;
        const existing = lines.get(key);
        if (existing && existing.shortfall >= shortfall) continue;
        lines.set(key, {
          room,
          roomType: counted.roomType ?? null,
          day,
          celsius: counted.celsius,
          shortfall,
          percent: refundPercent(shortfall, standard.refundTiers),
        });
      }
    }
  }
  return [...lines.values()].sort((a, b) => compareText(a.room, b.room) || compareText(a.day, b.day));
}

/** One dispatch of a ticket as the refund rule reads it: its window and its remediate stage, if a reading failed in it. */
export interface RemediationWindow {
  readonly from: string;
  /** When the dispatch ended; null while current. */
  readonly to: string | null;
  readonly remediation: RefundInput['remediation'];
}

/**
 * A ticket's refund lines over all its dispatches: each dispatch's remediation judged on the readings taken
 * while it was current (a reassignment or a reopening starts a new remediation), one line per room and day,
 * the larger shortfall where two dispatches share a day.
 */
export function ticketRefundLines(
  dispatches: readonly RemediationWindow[],
  ticket: {
    readonly readings: readonly StoredReading[];
    readonly standard: IndoorStandardTerms;
    readonly exclusion: RefundExclusion | null;
    readonly until: Date;
    /** A pause holding the current dispatch's stage now (approved, not ended), if any. */
    readonly activePause?: { readonly stage: string; readonly startedAt: string; readonly endsBy: string } | null;
  },
): RefundLine[] {
  const lines = new Map<string, RefundLine>();
  for (const dispatch of dispatches) {
    if (!dispatch.remediation) continue;
    const to = dispatch.to ? Math.min(Date.parse(dispatch.to), ticket.until.getTime()) : ticket.until.getTime();
    const remediation = dispatch.to === null ? remediationWhilePaused(dispatch.remediation, ticket.activePause ?? null, to) : dispatch.remediation;
    const readings = ticket.readings.filter((reading) => Date.parse(reading.at) >= Date.parse(dispatch.from) && Date.parse(reading.at) <= to);
    for (const line of refundLines({ readings, standard: ticket.standard, remediation, exclusion: ticket.exclusion, until: new Date(to) })) {
      const key = `${line.room}\u0000${line.day}`;
      const existing = lines.get(key);
      if (!existing || existing.shortfall < line.shortfall) lines.set(key, line);
    }
  }
  return [...lines.values()].sort((a, b) => compareText(a.room, b.room) || compareText(a.day, b.day));
}

/**
 * The remediation limit as it stands while a pause holds the remediate stage: its clock stood still from the
 * approval to `at` (at most the cap), so no refund accrues meanwhile (elapsed time: a remediation's policy runs 24x7).
 */
function remediationWhilePaused(
  remediation: NonNullable<RefundInput['remediation']>,
  pause: { readonly stage: string; readonly startedAt: string; readonly endsBy: string } | null,
  at: number,
): NonNullable<RefundInput['remediation']> {
  if (!pause || pause.stage !== 'remediate' || remediation.doneAt !== null) return remediation;
  const stoodStill = Math.max(0, Math.min(at, Date.parse(pause.endsBy)) - Date.parse(pause.startedAt));
  return { ...remediation, dueAt: new Date(Date.parse(remediation.dueAt) + stoodStill).toISOString() };
}

import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { presentPhone } from '@app/auth';
import type { PhoneVisibility } from '@app/auth';
import {
  CALLBACK_OUTCOMES,
  calendarWarning,
  CATEGORIES,
  CHANNELS,
  DISPATCH_CAUSES,
  DISPATCH_OUTCOMES,
  DISTRICTS,
  ESCALATION_LEVELS,
  EVALUATION_LEVELS,
  isOpenStatus,
  PAUSE_REASONS,
  pauseActive,
  PRIORITIES,
  readingJudges,
  REFUND_EXCLUSIONS,
  ROOM_TYPES,
  RUNG_LEVELS,
  SATISFACTION_LEVELS,
  STAGES,
  TICKET_STATUSES,
  ticketRefundLines,
  uncoveredYearsOf,
} from '@app/domain';
import type {
  CalendarCoverage,
  Category,
  CountedSpan,
  Channel,
  DispatchCause,
  DispatchOutcome,
  District,
  EscalationLevel,
  PauseReason,
  PauseStatus,
  Priority,
  RefundExclusion,
  RoomType,
  RungLevel,
  Stage,
  TicketStatus,
} from '@app/domain';
import { IndoorStandardSnapshotDto } from '@app/sla';
import { MeasurementMethodDto } from './ticket-actions.dto';
import type { EscalationEntity, TicketDispatchEntity, TicketEntity, TicketStages } from '@app/persistence';

export class StageDto {
  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  doneAt: string | null;

  @ApiProperty({ description: 'True once the deadline passed undone; stays true when done late.' })
  overdue: boolean;

  @ApiPropertyOptional({ description: 'How long the stage’s one approved pause stopped its clock (ms); absent: never paused in this dispatch.' })
  pausedMs?: number;
}

export class ReadingDto {
  @ApiProperty()
  room: string;

  @ApiPropertyOptional({ enum: ROOM_TYPES, description: 'Absent on readings recorded before room types were.' })
  roomType?: RoomType;

  @ApiProperty()
  celsius: number;

  @ApiPropertyOptional({ type: MeasurementMethodDto, description: 'The method checks the crew confirmed; absent on older readings.' })
  method?: MeasurementMethodDto;

  @ApiPropertyOptional({ description: 'Who measured.' })
  measuredBy?: string;

  @ApiProperty({ description: 'Whether it judges the heating: a room the ticket’s standard names, measured by the method.' })
  judges: boolean;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class PauseDto {
  @ApiProperty({ enum: ['PENDING', 'ACTIVE', 'ENDED', 'REJECTED', 'WITHDRAWN'] }) status: PauseStatus;
  @ApiProperty({ enum: STAGES }) stage: Stage;
  @ApiProperty({ enum: PAUSE_REASONS }) reason: PauseReason;
  @ApiProperty() note: string;
  @ApiProperty({ description: 'Calls to the citizen tried before asking.' }) callAttempts: number;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty() requestedBy: string;
  @ApiPropertyOptional({ format: 'date-time' }) decidedAt?: string;
  @ApiPropertyOptional() decidedBy?: string;
  @ApiPropertyOptional() decisionReason?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the clock stopped (the approval).' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the clock runs again by itself at the latest (the policy’s pauseCap).' }) endsBy?: string;
  @ApiPropertyOptional({ format: 'date-time' }) endedAt?: string;
  @ApiPropertyOptional({ description: 'system when the cap ended it.' }) endedBy?: string;
  @ApiPropertyOptional() endedAtCap?: boolean;
  @ApiPropertyOptional({ description: 'How long the clock stood still (ms).' }) pausedMs?: number;
}

export class RefundExclusionRecordDto {
  @ApiProperty({ enum: REFUND_EXCLUSIONS }) exclusion: RefundExclusion;
  @ApiProperty() note: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() by: string;
}

/** One room on one day below the standard after the remediation limit (domain.md §3). */
export class RefundLineDto {
  @ApiProperty() room: string;
  @ApiProperty({ enum: ROOM_TYPES, nullable: true, type: String }) roomType: RoomType | null;
  @ApiProperty({ example: '2026-12-02', description: 'Local day (Asia/Shanghai).' }) day: string;
  @ApiProperty({ description: 'The day’s reading that counts (°C).' }) celsius: number;
  @ApiProperty({ description: '°C below the standard.' }) shortfall: number;
  @ApiProperty({ example: 10, description: 'Percent of the room’s heating fee for the day, by the standard’s tiers.' }) percent: number;
}

export class RefundDto {
  @ApiProperty({ description: 'Refund-eligible (应退费): a failed reading not fixed within the remediation limit, and no exclusion recorded.' })
  eligible: boolean;

  @ApiProperty({ type: [RefundLineDto] })
  lines: RefundLineDto[];
}

export class ExtensionDto {
  @ApiProperty({ enum: ['PENDING', 'APPROVED', 'REJECTED'] })
  status: 'PENDING' | 'APPROVED' | 'REJECTED';

  @ApiProperty({ enum: STAGES, description: 'The stage whose deadline the request is about.' })
  stage: Stage;

  @ApiProperty()
  reason: string;

  @ApiProperty({ example: 'PT12H' })
  extendBy: string;

  @ApiProperty({ format: 'date-time' })
  requestedAt: string;

  @ApiProperty()
  requestedBy: string;

  @ApiPropertyOptional({ format: 'date-time' })
  decidedAt?: string;

  @ApiPropertyOptional()
  decidedBy?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the crew recorded that the citizen was told the new date and the reason (POST /tickets/{id}/extension/notified).' })
  citizenNotifiedAt?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The crew’s note on telling the citizen, if any.' })
  citizenNotifiedNote?: string | null;
}

export class ReviewDto {
  @ApiProperty({ enum: ['PENDING', 'CONFIRMED', 'REOPENED'] })
  status: string;

  @ApiProperty({ format: 'date-time' })
  requestedAt: string;

  @ApiPropertyOptional({ format: 'date-time' })
  decidedAt?: string;

  @ApiPropertyOptional()
  decidedBy?: string;

  @ApiPropertyOptional()
  reason?: string;
}

export class CallbackResultDto {
  @ApiProperty()
  reached: boolean;

  @ApiPropertyOptional({ description: 'Absent when the citizen was not reached.' })
  solved?: boolean;

  @ApiPropertyOptional({ enum: SATISFACTION_LEVELS, description: 'The three levels of the reports; absent when not reached.' })
  satisfaction?: string;

  @ApiPropertyOptional({ enum: EVALUATION_LEVELS, description: 'The answer on the national five-level scale.' })
  evaluation?: string;

  @ApiPropertyOptional({ description: '是否联系: the company contacted the citizen.' })
  contacted?: boolean;

  @ApiPropertyOptional()
  unitAtFault?: boolean;

  @ApiPropertyOptional({ enum: CALLBACK_OUTCOMES, description: 'EVALUATED, or UNREACHED (未联系上) after the policy’s last attempt.' })
  outcome?: string;

  @ApiPropertyOptional({ description: 'Which attempt of the reply’s callback this was.' })
  attempts?: number;

  @ApiProperty()
  note: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty()
  by: string;
}

// The stages map refers to StageDto by name: registered here so the document carries its schema.
@ApiExtraModels(StageDto)
export class TicketDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '8890-20261128-000001' })
  number: string;

  @ApiProperty({ enum: TICKET_STATUSES })
  status: TicketStatus;

  @ApiProperty({ enum: CATEGORIES })
  category: Category;

  @ApiProperty({ enum: PRIORITIES })
  priority: Priority;

  @ApiProperty({ enum: CHANNELS })
  channel: Channel;

  @ApiProperty({ enum: DISTRICTS })
  district: District;

  @ApiProperty()
  address: string;

  @ApiProperty()
  citizenName: string;

  @ApiProperty({ description: 'In full for operators and the assigned crew; masked (138****5678) for supervisors.' })
  citizenPhone: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'uuid' })
  companyId: string;

  @ApiProperty({ format: 'date-time' })
  dispatchedAt: string;

  @ApiProperty()
  dispatchCount: number;

  @ApiProperty()
  reopenCount: number;

  @ApiProperty()
  repeatCount: number;

  @ApiProperty()
  policyVersion: number;

  @ApiProperty({
    description: `Deadlines of the current dispatch, by stage (${STAGES.join(', ')}); a stage without a deadline is absent.`,
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/StageDto' },
  })
  stages: Partial<Record<Stage, StageDto>>;

  @ApiProperty({ enum: ESCALATION_LEVELS })
  escalationLevel: EscalationLevel;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Until when the current company may return the ticket (退单).' })
  returnAllowedUntil: string | null;

  @ApiProperty({ description: '指定承办: after repeated dispatches the current company must handle it and can no longer return it.' })
  designated: boolean;

  @ApiProperty({ type: ExtensionDto, nullable: true, description: 'The latest extension request and its decision.' })
  extension: ExtensionDto | null;

  @ApiProperty({ type: [ReadingDto] })
  readings: ReadingDto[];

  @ApiProperty({ type: IndoorStandardSnapshotDto, description: 'The indoor temperature standard the ticket is judged by: the version of its creation.' })
  indoorStandard: IndoorStandardSnapshotDto;

  @ApiProperty({ type: PauseDto, nullable: true, description: 'The latest pause request of the current dispatch (暂停计时) and what came of it.' })
  pause: PauseDto | null;

  @ApiProperty({ type: RefundExclusionRecordDto, nullable: true, description: 'Why no refund is due, if the crew recorded it (domain.md §3).' })
  refundExclusion: RefundExclusionRecordDto | null;

  @ApiProperty({ type: String, nullable: true, description: 'The crew’s reply (办理回复).' })
  resolution: string | null;

  @ApiProperty({ type: CallbackResultDto, nullable: true })
  callback: CallbackResultDto | null;

  @ApiProperty({ description: 'Callbacks made on the current reply (those that did not reach the citizen, and the final one).' })
  callbackAttempts: number;

  @ApiProperty({ type: ReviewDto, nullable: true, description: 'The supervisor review of a 不满意 for objective reasons (domain.md §2.5).' })
  review: ReviewDto | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  closedAt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '截止时间计入了2027年的日期，该年节假日和调休安排尚未录入日历，暂按周一至周五计算。 Deadlines count days of 2027, whose holidays and make-up working days are not on the calendar yet: Monday–Friday assumed.',
    description: 'Set (Chinese, then English) when an open stage’s deadline or rungs were counted in working days over a year the calendar has no holidays for; null otherwise.',
  })
  calendarWarning: string | null;
}

export class FiredRungDto {
  @ApiProperty({ enum: STAGES }) stage: Stage;
  @ApiProperty({ enum: RUNG_LEVELS }) level: RungLevel;
  @ApiProperty({ format: 'date-time' }) firedAt: string;
}

@ApiExtraModels(StageDto)
export class DispatchDto {
  @ApiProperty({ description: '1 for the creation, then one more per reassignment or reopening.' })
  seq: number;

  @ApiProperty({ format: 'uuid', description: 'The company that held the ticket in this dispatch.' })
  companyId: string;

  @ApiProperty({ format: 'date-time' })
  dispatchedAt: string;

  @ApiProperty({ enum: DISPATCH_CAUSES })
  cause: DispatchCause;

  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/StageDto' }, description: 'This dispatch’s stages as it left them.' })
  stages: Partial<Record<Stage, StageDto>>;

  @ApiProperty({ type: ExtensionDto, nullable: true })
  extension: ExtensionDto | null;

  @ApiProperty({ enum: ESCALATION_LEVELS, description: 'The highest rung fired in this dispatch.' })
  escalationLevel: EscalationLevel;

  @ApiProperty({ type: [FiredRungDto] })
  rungsFired: FiredRungDto[];

  @ApiProperty({ type: CallbackResultDto, nullable: true, description: 'The callback that judged this dispatch’s reply.' })
  callback: CallbackResultDto | null;

  @ApiProperty({ enum: DISPATCH_OUTCOMES, nullable: true, description: 'How it ended; null while current.' })
  outcome: DispatchOutcome | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  endedAt: string | null;

  @ApiProperty({ description: 'Approved pauses that ended in this dispatch.' })
  pauses: number;

  @ApiProperty({ description: 'How long they stopped the clock (seconds).' })
  pausedSeconds: number;
}

/** One ticket with the record of every dispatch (oldest first, the current one last). */
export class TicketDetailDto extends TicketDto {
  @ApiProperty({ type: [DispatchDto], description: 'Every dispatch, oldest first; a crew sees only its own company’s.' })
  dispatches: DispatchDto[];

  @ApiProperty({ type: RefundDto, description: 'Refunds by room and day (domain.md §3), over every dispatch’s remediation.' })
  refund: RefundDto;
}

function mapStages(stored: TicketStages): Partial<Record<Stage, StageDto>> {
  const stages: Partial<Record<Stage, StageDto>> = {};
  for (const stage of STAGES) {
    const state = stored[stage];
    if (state) stages[stage] = { dueAt: state.dueAt, doneAt: state.doneAt, overdue: state.overdue, ...(state.pausedMs !== undefined ? { pausedMs: state.pausedMs } : {}) };
  }
  return stages;
}

/** A rung fired in one dispatch (an `escalations` row, as far as the dispatch's record shows it). */
export type FiredRung = Pick<EscalationEntity, 'stage' | 'level' | 'firedAt'>;

/** A dispatch's record; `rungsFired`: the rungs fired in this dispatch, oldest first. */
export function mapDispatch(dispatch: TicketDispatchEntity, rungsFired: readonly FiredRung[]): DispatchDto {
  return {
    seq: dispatch.seq,
    companyId: dispatch.companyId,
    dispatchedAt: dispatch.dispatchedAt.toISOString(),
    cause: dispatch.cause,
    stages: mapStages(dispatch.stages),
    extension: dispatch.extension,
    escalationLevel: dispatch.escalationLevel,
    rungsFired: rungsFired.map((rung) => ({ stage: rung.stage, level: rung.level, firedAt: rung.firedAt.toISOString() })),
    callback: dispatch.callback,
    outcome: dispatch.outcome,
    endedAt: dispatch.endedAt ? dispatch.endedAt.toISOString() : null,
    pauses: dispatch.pauses,
    pausedSeconds: dispatch.pausedSeconds,
  };
}

/**
 * A ticket's refunds (domain.md §3) over all its dispatches, judged up to its closing or `now`. Every
 * dispatch is read, whoever may see it: a refund is the citizen's, whichever company held the ticket.
 */
export function refundOf(ticket: TicketEntity, dispatches: readonly Pick<TicketDispatchEntity, 'dispatchedAt' | 'endedAt' | 'stages'>[], now: Date): RefundDto {
  const lines = ticketRefundLines(
    dispatches.map((dispatch) => ({ from: dispatch.dispatchedAt.toISOString(), to: dispatch.endedAt?.toISOString() ?? null, remediation: dispatch.stages.remediate ?? null })),
    {
      readings: ticket.readings,
      standard: ticket.indoorStandard,
      exclusion: ticket.refundExclusion?.exclusion ?? null,
      until: ticket.closedAt ?? now,
      activePause: pauseActive(ticket.pause) ? ticket.pause : null,
    },
  );
  return { eligible: lines.length > 0, lines };
}

/** What each undone stage's deadline and rungs were counted over: from the window's start to its last rung. */
function countedSpans(stored: TicketStages): CountedSpan[] {
  return Object.values(stored)
    .filter((state) => state !== undefined && state.doneAt === null)
    .map((state) => ({ from: new Date(state.startsAt), to: new Date(Math.max(Date.parse(state.dueAt), ...Object.values(state.rungs ?? {}).map((at) => Date.parse(at)))) }));
}

/** The ticket as the API shows it; `coverage` (the calendar's covered years) tells whether its deadlines relied on a guess. */
export function mapTicket(ticket: TicketEntity, phone: PhoneVisibility, coverage: CalendarCoverage): TicketDto {
  const stages = mapStages(ticket.stages);
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    category: ticket.category,
    priority: ticket.priority,
    channel: ticket.channel,
    district: ticket.district,
    address: ticket.address,
    citizenName: ticket.citizenName,
    citizenPhone: presentPhone(ticket.citizenPhone, phone),
    description: ticket.description,
    companyId: ticket.companyId,
    dispatchedAt: ticket.dispatchedAt.toISOString(),
    dispatchCount: ticket.dispatchCount,
    reopenCount: ticket.reopenCount,
    repeatCount: ticket.repeatCount,
    policyVersion: ticket.policyVersion,
    stages,
    escalationLevel: ticket.escalationLevel,
    returnAllowedUntil: ticket.returnAllowedUntil ? ticket.returnAllowedUntil.toISOString() : null,
    designated: ticket.designated,
    extension: ticket.extension,
    readings: ticket.readings.map((reading) => ({ ...reading, judges: readingJudges(reading, ticket.indoorStandard) })),
    indoorStandard: { ...ticket.indoorStandard, rooms: [...ticket.indoorStandard.rooms], refundTiers: ticket.indoorStandard.refundTiers.map((tier) => ({ ...tier })) },
    pause: ticket.pause ?? null,
    refundExclusion: ticket.refundExclusion ?? null,
    resolution: ticket.resolution,
    callback: ticket.callback,
    callbackAttempts: ticket.callbackAttempts ?? 0,
    review: ticket.review ?? null,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    closedAt: ticket.closedAt ? ticket.closedAt.toISOString() : null,
    calendarWarning: isOpenStatus(ticket.status) ? calendarWarning(uncoveredYearsOf(countedSpans(ticket.stages), ticket.policy.calendar, coverage)) : null,
  };
}

import { HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { companyFilterFor, mayReadCompanyRecord } from '@app/auth';
import { addressKey, addressPlace, CATEGORY_DEFAULTS, effectivePriority, exceedsExtensionCap, normalizePhone, readingJudges, readingsRequired, ROOM_TYPE_NAMES_ZH } from '@app/domain';
import type { ActionInput, AuthenticatedUser, CalendarCoverage, WorkCalendar } from '@app/domain';
import { EscalationDto, EscalationsService } from '@app/escalations';
import { keysetPage, Page, ProblemException } from '@app/http';
import { actionOutcomeOf, HotlineMetrics } from '@app/metrics';
import { ESCALATED_TICKET_SQL, OPEN_TICKET_SQL, RepeatCallEntity, StoredProblem, TICKET_OVERDUE_NOW_SQL, TicketDispatchEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { IndoorStandardService, SlaPolicyService, WorkCalendarService } from '@app/sla';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { DispatchDto, FiredRung, mapDispatch, RefundDto, refundOf } from './dto/ticket.dto';
import { ListTicketsQueryDto } from './dto/ticket-queries.dto';
import {
  ActionAnswer,
  ActionKeyRequest,
  actionKeyRequest,
  actionUpdateId,
  IdempotencyKeys,
  IdempotencyRaceLost,
  idempotencyRequest,
  StoredAnswer,
} from './idempotency-keys.service';
import { RepeatCalls } from './repeat-calls.service';
import { TicketNumbers } from './ticket-numbers.service';
import { TicketRouting } from './ticket-routing.service';
import { openDispatch } from './ticket-dispatches';
import { dispatchTerms, eventTypeOf, freshStages } from './ticket-transitions';
import { TicketLifecycleGateway } from './ticket-lifecycle.gateway';
import { TicketLifecycleStarter } from './ticket-lifecycle-starter.service';

/** The audit event a return request writes (its instant orders the return queue). */
const RETURN_EVENT = eventTypeOf({ action: 'return', reason: '' });

export interface CreateTicketOutcome {
  /** 201 for a new ticket, 200 for a repeat call answered with the existing one. */
  readonly statusCode: 200 | 201;
  readonly ticket: TicketEntity;
  /** A new ticket's: the years covered by the calendar its deadlines were computed with (for `mapTicket`). */
  readonly coverage?: CalendarCoverage;
}

/**
 * Tickets: creating one (with its idempotency key, repeat-call matching, routing, numbering and policy
 * snapshot, each a part of its own), reading them as the access policy allows, and acting on them
 * through their workflows.
 */
@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: SlaPolicyService,
    private readonly indoorStandards: IndoorStandardService,
    private readonly calendars: WorkCalendarService,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly repeatCalls: RepeatCalls,
    private readonly routing: TicketRouting,
    private readonly numbers: TicketNumbers,
    private readonly starter: TicketLifecycleStarter,
    private readonly workflows: TicketLifecycleGateway,
    private readonly escalationRecords: EscalationsService,
    private readonly metrics: HotlineMetrics,
  ) {}

  /**
   * Creates a ticket, or records a repeat call on the caller's matching ticket (200 with it). One
   * transaction holds the ticket or the repeat call and the Idempotency-Key, so a retry with the key gets
   * the first answer back and changes nothing, however many arrive at once.
   */
  async create(dto: CreateTicketDto, user: AuthenticatedUser, idempotencyKey?: string): Promise<CreateTicketOutcome> {
    const idempotency = idempotencyKey ? idempotencyRequest(user.username, idempotencyKey, dto) : undefined;
    const previous = idempotency && (await this.idempotencyKeys.stored(idempotency));
    if (previous) return this.answerAgain(previous);
    const receivedAt = new Date();
    let committed: { statusCode: 200 | 201; ticket: TicketEntity; repeatCall?: RepeatCallEntity; calendar?: WorkCalendar };
    try {
      committed = await this.dataSource.transaction(async (manager) => {
        const repeat = dto.forceNew ? undefined : await this.repeatCalls.recordIfRepeat(manager, dto, user, receivedAt);
        const outcome = repeat
          ? { statusCode: 200 as const, ticket: repeat.ticket, repeatCall: repeat.call }
          : { statusCode: 201 as const, ...(await this.insertTicket(manager, dto, user, receivedAt)) };
        if (idempotency) await this.idempotencyKeys.claim(manager, idempotency, { ticketId: outcome.ticket.id, statusCode: outcome.statusCode });
        return outcome;
      });
    } catch (error) {
      if (error instanceof IdempotencyRaceLost && idempotency) return this.answerAgain((await this.idempotencyKeys.stored(idempotency))!);
      throw error;
    }
    if (committed.repeatCall) {
      this.metrics.repeatCall(dto.category);
      // A closed ticket reopens through its workflow: now if Temporal answers, else by the worker's sweeper.
      if (committed.repeatCall.needsDelivery) await this.repeatCalls.deliver(committed.repeatCall);
      return { statusCode: 200, ticket: await this.findOne(committed.ticket.id) };
    }
    this.metrics.ticketCreated(committed.ticket.category, committed.ticket.priority);
    await this.starter.startCreated(committed.ticket);
    return { statusCode: 201, ticket: committed.ticket, coverage: committed.calendar };
  }

  /** A retry's answer: the same status, and the ticket as it is now (the key stores no ticket data). */
  private async answerAgain(stored: StoredAnswer): Promise<CreateTicketOutcome> {
    return { statusCode: stored.statusCode, ticket: await this.findOne(stored.ticketId) };
  }

  /** A new ticket, with the calendar its deadlines were computed with (read in the transaction: one statement while it is unchanged). */
  private async insertTicket(manager: EntityManager, dto: CreateTicketDto, user: AuthenticatedUser, dispatchedAt: Date): Promise<{ ticket: TicketEntity; calendar: WorkCalendar }> {
    const calendar = await this.calendars.load(manager);
    const companyId = dto.companyId ? await this.routing.requireActiveCompany(manager, dto.companyId) : await this.routing.route(manager, dto.district);
    const priority = effectivePriority(dto.category, dto.priority);
    const policy = await this.policies.current(priority, manager);
    const entity = manager.create(TicketEntity, {
      id: randomUUID(),
      number: await this.numbers.next(manager, dispatchedAt),
      status: 'RECEIVED',
      category: dto.category,
      priority,
      channel: dto.channel ?? 'PHONE',
      district: dto.district,
      address: dto.address,
      addressKey: addressKey(dto.address),
      ...addressPlace(dto.district, dto.address), // communityKey, buildingKey: hot spots
      citizenName: dto.citizenName,
      citizenPhone: dto.citizenPhone,
      description: dto.description,
      companyId,
      dispatchedAt,
      policyVersion: policy.version,
      policy,
      indoorStandard: await this.indoorStandards.current(manager),
      stages: freshStages({ policy, category: dto.category }, dispatchedAt, calendar),
      ...dispatchTerms({ policy, dispatchCount: 1 }, dispatchedAt, calendar),
      createdBy: user.username,
    });
    await manager.insert(TicketEntity, entity as QueryDeepPartialEntity<TicketEntity>);
    await openDispatch(manager, entity, 'CREATED', { first: true });
    await manager.insert(TicketEventEntity, {
      ticketId: entity.id,
      type: 'CREATED',
      actor: user.username,
      role: user.role,
      payload: { companyId, priority, policyVersion: policy.version, dispatchedAt: dispatchedAt.toISOString() },
      at: dispatchedAt,
    });
    return { ticket: await manager.findOneByOrFail(TicketEntity, { id: entity.id }), calendar };
  }

  async findOne(id: string): Promise<TicketEntity> {
    const ticket = await this.dataSource.getRepository(TicketEntity).findOneBy({ id });
    if (!ticket) throw new NotFoundException(`Ticket ${id} does not exist`);
    return ticket;
  }

  /** A ticket as the access policy lets `user` see it: for a crew, another company's ticket does not exist. */
  async findVisible(id: string, user: AuthenticatedUser): Promise<TicketEntity> {
    const ticket = await this.findOne(id);
    if (!mayReadCompanyRecord(user, ticket.companyId)) throw new NotFoundException(`Ticket ${id} does not exist`);
    return ticket;
  }

  /**
   * Tickets by keyset pages, within what the access policy lets `user` see: newest first, or one of the
   * supervisors' queues oldest request first (`extension=PENDING`: by the request's instant;
   * `returnRequested=true`: by the instant of the ticket's latest return request, its RETURN event;
   * `review=PENDING`: by the instant the callback sent it to review).
   */
  async list(query: ListTicketsQueryDto, user: AuthenticatedUser): Promise<Page<TicketEntity>> {
    const filter = companyFilterFor(user, query.companyId);
    if (!filter) return { items: [], nextCursor: null };
    const builder = this.dataSource.getRepository(TicketEntity).createQueryBuilder('t');
    if (filter.companyId) builder.andWhere('t.company_id = :companyId', { companyId: filter.companyId });
    if (query.q) {
      // A number, a phone in any written form, or part of the folded address (LIKE's wildcards escaped).
      const folded = addressKey(query.q).replace(/[\\%_]/g, (character) => `\\${character}`);
      builder.andWhere(`(t.number = :q OR t.citizen_phone = :phone OR t.address_key LIKE '%' || :folded || '%')`, { q: query.q, phone: normalizePhone(query.q), folded });
    }
    if (query.status) builder.andWhere('t.status = :status', { status: query.status });
    if (query.district) builder.andWhere('t.district = :district', { district: query.district });
    if (query.priority) builder.andWhere('t.priority = :priority', { priority: query.priority });
    // An overdue stage raised the ticket's level to OVERDUE or above (ESCALATED_TICKET_SQL loses no row): said
    // too, it lets the page walk the partial index idx_tickets_open_overdue_created of exactly those tickets.
    if (query.overdue !== undefined) {
      builder.andWhere(query.overdue ? `${TICKET_OVERDUE_NOW_SQL('t')} AND ${ESCALATED_TICKET_SQL('t')}` : `NOT ${TICKET_OVERDUE_NOW_SQL('t')}`);
    }
    if (query.open !== undefined) builder.andWhere(query.open ? OPEN_TICKET_SQL('t') : `NOT ${OPEN_TICKET_SQL('t')}`);
    if (query.companyActive !== undefined) {
      builder.andWhere('EXISTS (SELECT 1 FROM companies c WHERE c.id = t.company_id AND c.active = :companyActive)', { companyActive: query.companyActive });
    }
    if (query.extension) {
      // A closed ticket's request can no longer be decided. PENDING, the only value the query takes, is written
      // out so the partial index idx_tickets_extension_pending (migration Queues) provably matches.
      builder.andWhere(`t.extension->>'status' = 'PENDING' AND ${OPEN_TICKET_SQL('t')}`);
      return keysetPage(builder, { alias: 't', instant: `(t.extension->>'requestedAt')::timestamptz`, direction: 'ASC' }, query);
    }
    if (query.review) {
      // 不满意 for objective reasons, waiting for a supervisor (domain.md §2.5); PENDING written out for the partial index.
      builder.andWhere(`t.review->>'status' = 'PENDING'`);
      return keysetPage(builder, { alias: 't', instant: `(t.review->>'requestedAt')::timestamptz`, direction: 'ASC' }, query);
    }
    if (query.pause) {
      // Crews waiting to stop a stage's clock; PENDING written out for the partial index idx_tickets_pause_pending.
      builder.andWhere(`t.pause->>'status' = 'PENDING' AND ${OPEN_TICKET_SQL('t')}`);
      return keysetPage(builder, { alias: 't', instant: `(t.pause->>'requestedAt')::timestamptz`, direction: 'ASC' }, query);
    }
    if (query.returnRequested) {
      builder.andWhere(`t.status = 'RETURN_REQUESTED'`);
      builder.setParameter('returnEvent', RETURN_EVENT);
      const returnedAt = `(SELECT max(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = :returnEvent)`;
      return keysetPage(builder, { alias: 't', instant: returnedAt, direction: 'ASC' }, query);
    }
    return keysetPage(builder, { alias: 't', instant: 't.created_at' }, query);
  }

  /** The ticket's dispatches the user may see (a crew: its own company's), oldest first, with their fired rungs. */
  /**
   * One ticket as the user may see it, each record read once: its dispatches the user may see (a crew: its own
   * company's), with their fired rungs, and its refunds (domain.md §3) as of now over every dispatch — a refund
   * is the citizen's, whichever company held the ticket.
   */
  async detail(id: string, user: AuthenticatedUser): Promise<{ ticket: TicketEntity; dispatches: DispatchDto[]; refund: RefundDto; coverage: CalendarCoverage }> {
    const ticket = await this.findVisible(id, user);
    // One statement: the dispatches, each with the rungs fired in it (an escalation belongs to the dispatch at its
    // dispatch instant, to the millisecond, as the instants are written), and the calendar's coverage for mapTicket.
    const { entities: dispatches, raw } = await this.calendars
      .withOverriddenYears(
        this.dataSource
          .getRepository(TicketDispatchEntity)
          .createQueryBuilder('d')
          .addSelect(
            `(SELECT coalesce(json_agg(json_build_object('stage', e.stage, 'level', e.level, 'firedAt', e.fired_at) ORDER BY e.fired_at, e.id), '[]')
                FROM escalations e
               WHERE e.ticket_id = d.ticket_id AND date_trunc('milliseconds', e.dispatched_at) = date_trunc('milliseconds', d.dispatched_at))`,
            'rungs_fired',
          )
          .where('d.ticket_id = :id', { id })
          .orderBy('d.seq', 'ASC'),
      )
      .getRawAndEntities<{ d_id: string; rungs_fired: Array<{ stage: FiredRung['stage']; level: FiredRung['level']; firedAt: string }>; overridden_years: number[] }>();
    const rungsOf = new Map(raw.map((row) => [row.d_id, row.rungs_fired.map((rung) => ({ stage: rung.stage, level: rung.level, firedAt: new Date(rung.firedAt) }))]));
    return {
      ticket,
      dispatches: dispatches.filter((dispatch) => mayReadCompanyRecord(user, dispatch.companyId)).map((dispatch) => mapDispatch(dispatch, rungsOf.get(dispatch.id) ?? [])),
      refund: refundOf(ticket, dispatches, new Date()),
      coverage: raw[0] ? this.calendars.coverageOf(raw[0]) : await this.calendars.coverage(),
    };
  }

  async events(id: string, user: AuthenticatedUser): Promise<TicketEventEntity[]> {
    await this.findVisible(id, user);
    return this.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: id }, order: { id: 'ASC' } });
  }

  async escalations(id: string, user: AuthenticatedUser): Promise<EscalationDto[]> {
    await this.findVisible(id, user);
    return this.escalationRecords.forTicket(id);
  }

  /**
   * Sends an action through the ticket's workflow and reads the ticket back (the HTTP answer shows the new
   * state). With an Idempotency-Key the action is applied at most once however often it is retried: see actOnce.
   */
  async act(id: string, input: ActionInput, user: AuthenticatedUser, idempotencyKey?: string): Promise<TicketEntity> {
    const ticket = await this.findVisible(id, user);
    if (idempotencyKey) return this.actOnce(ticket, input, user, idempotencyKey);
    await this.checkAction(ticket, input);
    try {
      await this.workflows.apply(ticket, input, user);
    } catch (error) {
      this.countFailure(input, error);
      throw error;
    }
    this.metrics.ticketAction(input.action, 'applied');
    return this.findOne(id);
  }

  /**
   * An action with the caller's Idempotency-Key. The key is claimed (after the checks, before the workflow)
   * and the action is sent as the Update whose id the key names, so a second send attaches to the first
   * Update instead of applying again; its outcome (200, or the refusal) is then kept with the key. A retry
   * answers the kept outcome; one that finds the key claimed with no outcome (the answer was lost, or
   * Temporal could not be reached) takes the Update's outcome if the workflow has it, else sends it again.
   * The same key with another ticket, action or body is 422.
   */
  private async actOnce(ticket: TicketEntity, input: ActionInput, user: AuthenticatedUser, key: string): Promise<TicketEntity> {
    const request = actionKeyRequest(user.username, key, ticket.id, input);
    const updateId = actionUpdateId(user.username, key);
    let claim = await this.idempotencyKeys.storedAction(request);
    if (claim?.answer) return this.answerAction(ticket.id, claim.answer);
    if (claim) {
      // The ticket as it is now may already show this action: the Update's own outcome answers, not the checks.
      const earlier = await this.settle(request, input, () => this.workflows.outcomeOf(ticket, updateId));
      if (earlier) return earlier;
    }
    // A 400 or 422 of the checks claims nothing, as a create refused before its transaction commits.
    await this.checkAction(ticket, input);
    if (!claim && !(await this.idempotencyKeys.claimAction(request))) {
      // A concurrent request with the key claimed it first: the same Update id joins its Update.
      claim = await this.idempotencyKeys.storedAction(request);
      if (claim?.answer) return this.answerAction(ticket.id, claim.answer);
    }
    const applied = await this.settle(request, input, async () => {
      await this.workflows.apply(ticket, input, user, updateId);
      return true;
    });
    return applied!;
  }

  /**
   * Runs one step towards the action's Update (false: there is no such Update) and keeps its outcome with
   * the key: 200, or a refusal (409, 404) answered again to every retry. A 503 keeps nothing (the Update
   * may still have reached the workflow: a retry finds out). The first outcome kept is everyone's answer.
   */
  private async settle(request: ActionKeyRequest, input: ActionInput, step: () => Promise<boolean>): Promise<TicketEntity | undefined> {
    let answer: ActionAnswer;
    try {
      if (!(await step())) return undefined;
      answer = { statusCode: HttpStatus.OK, problem: null };
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() >= 500) {
        this.countFailure(input, error);
        throw error;
      }
      answer = { statusCode: error.getStatus(), problem: error.getResponse() as StoredProblem };
    }
    const settled = await this.idempotencyKeys.settleAction(request, answer);
    if (settled.first) {
      const outcome = settled.answer.problem ? actionOutcomeOf(settled.answer.statusCode) : 'applied';
      if (outcome) this.metrics.ticketAction(input.action, outcome);
    }
    return this.answerAction(request.ticketId, settled.answer);
  }

  /** The answer an action's key keeps: the ticket as it is now, or the same refusal. */
  private async answerAction(ticketId: string, answer: ActionAnswer): Promise<TicketEntity> {
    const { problem } = answer;
    if (problem) {
      throw new ProblemException(answer.statusCode as HttpStatus, problem.detail, {
        title: problem.title,
        type: problem.type,
        ...(problem.errors ? { errors: [...problem.errors] } : {}),
      });
    }
    return this.findOne(ticketId);
  }

  private countFailure(input: ActionInput, error: unknown): void {
    const outcome = actionOutcomeOf(error instanceof HttpException ? error.getStatus() : undefined);
    if (outcome) this.metrics.ticketAction(input.action, outcome);
  }

  /** What the API checks itself before the workflow (400s about the body, 422s about the company). */
  private async checkAction(ticket: TicketEntity, input: ActionInput): Promise<void> {
    // The rule is planTransition's (409 there); known to be about the body once the category is read, so 400 here.
    if (input.action === 'visit' && input.readings.length === 0 && readingsRequired(ticket.category)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Invalid request: readings', {
        title: 'Validation failed',
        errors: [{ field: 'readings', message: `readings must hold at least one reading: a ${ticket.category} (${CATEGORY_DEFAULTS[ticket.category].nameZh}) visit measures the indoor temperature` }],
      });
    }
    if (input.action === 'visit' && readingsRequired(ticket.category) && input.readings.length > 0 && !input.readings.some((reading) => readingJudges(reading, ticket.indoorStandard))) {
      const rooms = ticket.indoorStandard.rooms.map((room) => ROOM_TYPE_NAMES_ZH[room]).join('、');
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Invalid request: readings', {
        title: 'Validation failed',
        errors: [{ field: 'readings', message: `readings must hold at least one reading of a room the standard applies to (${rooms}) measured by the method (all four checks): only such a reading judges the heating` }],
      });
    }
    if (input.action === 'extension' && exceedsExtensionCap(input.extendBy, ticket.policy)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Invalid request: extendBy', {
        title: 'Validation failed',
        errors: [{ field: 'extendBy', message: `extendBy must be at most ${ticket.policy.extensionCap} for a ${ticket.priority} ticket (policy version ${ticket.policyVersion})` }],
      });
    }
    if (input.action === 'reassign') {
      await this.routing.requireActiveCompany(this.dataSource.manager, input.companyId);
      if (input.companyId === ticket.companyId) {
        throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'The ticket is already at that company', { title: 'Same company' });
      }
    }
  }
}

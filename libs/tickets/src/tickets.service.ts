import { HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { companyFilterFor, mayReadCompanyRecord } from '@app/auth';
import { addressKey, addressPlace, CATEGORY_DEFAULTS, effectivePriority, exceedsExtensionCap, readingJudges, readingsRequired, ROOM_TYPE_NAMES_ZH } from '@app/domain';
import type { ActionInput, AuthenticatedUser, WorkCalendar } from '@app/domain';
import { EscalationDto, EscalationsService } from '@app/escalations';
import { keysetPage, Page, ProblemException } from '@app/http';
import { actionOutcomeOf, HotlineMetrics } from '@app/metrics';
import { EscalationEntity, OPEN_TICKET_SQL, RepeatCallEntity, TICKET_OVERDUE_NOW_SQL, TicketDispatchEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { IndoorStandardService, SlaPolicyService, WorkCalendarService } from '@app/sla';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { DispatchDto, mapDispatch, RefundDto, refundOf } from './dto/ticket.dto';
import { ListTicketsQueryDto } from './dto/ticket-queries.dto';
import { IdempotencyKeys, IdempotencyRaceLost, idempotencyRequest, StoredAnswer } from './idempotency-keys.service';
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
    const calendar = await this.calendars.load();
    let committed: { statusCode: 200 | 201; ticket: TicketEntity; repeatCall?: RepeatCallEntity };
    try {
      committed = await this.dataSource.transaction(async (manager) => {
        const repeat = dto.forceNew ? undefined : await this.repeatCalls.recordIfRepeat(manager, dto, user, receivedAt);
        const outcome = repeat
          ? { statusCode: 200 as const, ticket: repeat.ticket, repeatCall: repeat.call }
          : { statusCode: 201 as const, ticket: await this.insertTicket(manager, dto, user, receivedAt, calendar) };
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
    await this.starter.tryStart(committed.ticket);
    return { statusCode: 201, ticket: committed.ticket };
  }

  /** A retry's answer: the same status, and the ticket as it is now (the key stores no ticket data). */
  private async answerAgain(stored: StoredAnswer): Promise<CreateTicketOutcome> {
    return { statusCode: stored.statusCode, ticket: await this.findOne(stored.ticketId) };
  }

  private async insertTicket(manager: EntityManager, dto: CreateTicketDto, user: AuthenticatedUser, dispatchedAt: Date, calendar: WorkCalendar): Promise<TicketEntity> {
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
    await openDispatch(manager, entity, 'CREATED');
    await manager.insert(TicketEventEntity, {
      ticketId: entity.id,
      type: 'CREATED',
      actor: user.username,
      role: user.role,
      payload: { companyId, priority, policyVersion: policy.version, dispatchedAt: dispatchedAt.toISOString() },
      at: dispatchedAt,
    });
    return manager.findOneByOrFail(TicketEntity, { id: entity.id });
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
    if (query.status) builder.andWhere('t.status = :status', { status: query.status });
    if (query.district) builder.andWhere('t.district = :district', { district: query.district });
    if (query.priority) builder.andWhere('t.priority = :priority', { priority: query.priority });
    if (query.overdue !== undefined) builder.andWhere(query.overdue ? TICKET_OVERDUE_NOW_SQL('t') : `NOT ${TICKET_OVERDUE_NOW_SQL('t')}`);
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
      const returnedAt = `(SELECT max(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = '${RETURN_EVENT}')`;
      return keysetPage(builder, { alias: 't', instant: returnedAt, direction: 'ASC' }, query);
    }
    return keysetPage(builder, { alias: 't', instant: 't.created_at' }, query);
  }

  /** The ticket's dispatches the user may see (a crew: its own company's), oldest first, with their fired rungs. */
  async dispatches(id: string, user: AuthenticatedUser): Promise<DispatchDto[]> {
    const [dispatches, fired] = await Promise.all([
      this.dataSource.getRepository(TicketDispatchEntity).find({ where: { ticketId: id }, order: { seq: 'ASC' } }),
      this.dataSource.getRepository(EscalationEntity).find({ where: { ticketId: id }, order: { firedAt: 'ASC', id: 'ASC' } }),
    ]);
    return dispatches.filter((dispatch) => mayReadCompanyRecord(user, dispatch.companyId)).map((dispatch) => mapDispatch(dispatch, fired));
  }

  /** The ticket's refunds (domain.md §3) as of now, over every dispatch's remediation. */
  async refund(id: string): Promise<RefundDto> {
    const [ticket, dispatches] = await Promise.all([
      this.findOne(id),
      this.dataSource.getRepository(TicketDispatchEntity).find({ where: { ticketId: id }, order: { seq: 'ASC' } }),
    ]);
    return refundOf(ticket, dispatches, new Date());
  }

  async events(id: string, user: AuthenticatedUser): Promise<TicketEventEntity[]> {
    await this.findVisible(id, user);
    return this.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: id }, order: { id: 'ASC' } });
  }

  async escalations(id: string, user: AuthenticatedUser): Promise<EscalationDto[]> {
    await this.findVisible(id, user);
    return this.escalationRecords.forTicket(id);
  }

  /** Sends an action through the ticket's workflow and reads the ticket back (the HTTP answer shows the new state). */
  async act(id: string, input: ActionInput, user: AuthenticatedUser): Promise<TicketEntity> {
    const ticket = await this.findVisible(id, user);
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
    try {
      await this.workflows.apply(ticket, input, user);
    } catch (error) {
      const outcome = actionOutcomeOf(error instanceof HttpException ? error.getStatus() : undefined);
      if (outcome) this.metrics.ticketAction(input.action, outcome);
      throw error;
    }
    this.metrics.ticketAction(input.action, 'applied');
    return this.findOne(id);
  }
}

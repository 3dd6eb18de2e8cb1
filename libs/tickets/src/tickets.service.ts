import { HttpException, HttpStatus, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ActionInput, addressKey, effectivePriority, formatTicketNumber, localDate, District, REOPEN_WINDOW_MS } from '@app/domain';
import { decodeCursor, encodeCursor, ProblemException } from '@app/http';
import { EscalationDto, EscalationsService } from '@app/escalations';
import { actionOutcomeOf, HotlineMetrics } from '@app/metrics';
import { CompanyEntity, IdempotencyKeyEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { SlaPolicyService, WorkCalendarService } from '@app/sla';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { mapTicket, TicketDto } from './dto/ticket.dto';
import { ListTicketsQueryDto } from './dto/ticket-queries.dto';
import { freshStages } from './ticket-transitions';
import { TicketWorkflowGateway } from './lifecycle.gateway';
import { TicketWorkflowStarter } from './lifecycle-starter.service';

/** Who acts, as the auth layer knows them: recorded on every audit event, and scopes what crews see. */
export interface Actor {
  readonly username: string;
  readonly role: string;
  readonly companyId?: string | null;
}

interface IdempotencyRequest {
  readonly actor: string;
  readonly key: string;
  readonly requestHash: string;
}

class IdempotencyRaceLost extends Error {}

export interface CreateTicketOutcome {
  /** 201 for a new ticket, 200 for a repeat call answered with the existing one. */
  readonly statusCode: 200 | 201;
  readonly ticket: TicketDto;
}

@Injectable()
export class TicketsService {
  private readonly logger = new Logger(TicketsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: SlaPolicyService,
    private readonly calendars: WorkCalendarService,
    private readonly starter: TicketWorkflowStarter,
    private readonly workflows: TicketWorkflowGateway,
    private readonly escalationRecords: EscalationsService,
    private readonly metrics: HotlineMetrics,
  ) {}

  /**
   * Creates a ticket, or answers a repeat call with the matching ticket. With an Idempotency-Key, a retry
   * gets the first answer back and creates nothing.
   */
  async create(dto: CreateTicketDto, actor: Actor, idempotencyKey?: string): Promise<CreateTicketOutcome> {
    const idempotency = idempotencyKey
      ? { actor: actor.username, key: idempotencyKey, requestHash: createHash('sha256').update(JSON.stringify(dto)).digest('hex') }
      : undefined;
    if (idempotency) {
      const previous = await this.storedAnswer(idempotency);
      if (previous) return previous;
    }
    if (!dto.forceNew) {
      const repeated = await this.answerRepeatCall(dto, actor);
      if (repeated) {
        this.metrics.repeatCall(dto.category);
        const outcome: CreateTicketOutcome = { statusCode: 200, ticket: mapTicket(repeated) };
        if (idempotency) await this.remember(this.dataSource.manager, idempotency, outcome);
        return outcome;
      }
    }
    let ticket: TicketEntity;
    try {
      ticket = await this.insertTicket(dto, actor, idempotency);
    } catch (error) {
      // A concurrent request with the same key committed first; this one rolled back and answers with that.
      if (error instanceof IdempotencyRaceLost && idempotency) return (await this.storedAnswer(idempotency))!;
      throw error;
    }
    this.metrics.ticketCreated(ticket.category, ticket.priority);
    await this.starter.tryStart(ticket);
    return { statusCode: 201, ticket: mapTicket(ticket) };
  }

  /** Stores the answer under the key; false when another request stored one first. */
  private async remember(manager: EntityManager, idempotency: IdempotencyRequest, outcome: CreateTicketOutcome): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (actor, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (actor, key) DO NOTHING RETURNING key`,
      [idempotency.actor, idempotency.key, idempotency.requestHash, outcome.statusCode, outcome.ticket],
    );
    return inserted.length > 0;
  }

  private async storedAnswer({ actor, key, requestHash }: IdempotencyRequest): Promise<CreateTicketOutcome | undefined> {
    const stored = await this.dataSource.getRepository(IdempotencyKeyEntity).findOneBy({ actor, key });
    if (!stored) return undefined;
    if (stored.requestHash !== requestHash) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Idempotency-Key "${key}" was already used with a different request`, {
        title: 'Idempotency key reused',
      });
    }
    return { statusCode: stored.statusCode as 200 | 201, ticket: stored.response as unknown as TicketDto };
  }

  /**
   * 重复来电: the same phone, address and category as an open ticket (or one closed less than 7 days ago)
   * is a 催办 of that ticket, through its workflow; a refusal (e.g. it just passed the window) makes a new one.
   */
  private async answerRepeatCall(dto: CreateTicketDto, actor: Actor): Promise<TicketEntity | undefined> {
    const candidates = await this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .where('t.citizen_phone = :phone AND t.category = :category AND t.address_key = :key', {
        phone: dto.citizenPhone,
        category: dto.category,
        key: addressKey(dto.address),
      })
      .andWhere(`(t.status NOT IN ('CLOSED', 'CANCELLED') OR (t.status = 'CLOSED' AND t.closed_at > :since))`, {
        since: new Date(Date.now() - REOPEN_WINDOW_MS),
      })
      .orderBy('t.created_at', 'DESC')
      .take(1)
      .getMany();
    const match = candidates[0];
    if (!match) return undefined;
    try {
      await this.workflows.apply(match, { action: 'repeat-call' }, actor);
    } catch (error) {
      this.logger.warn(`Repeat call for ${match.number} not applied, creating a new ticket: ${(error as Error).message}`);
      return undefined;
    }
    return this.findOne(match.id);
  }

  private async insertTicket(dto: CreateTicketDto, actor: Actor, idempotency?: IdempotencyRequest): Promise<TicketEntity> {
    const calendar = await this.calendars.load();
    return this.dataSource.transaction(async (manager) => {
      const companyId = dto.companyId ? await this.requireActiveCompany(manager, dto.companyId) : await this.route(manager, dto.district);
      const priority = effectivePriority(dto.category, dto.priority);
      const policy = await this.policies.current(priority, manager);
      const dispatchedAt = new Date();
      const entity = manager.create(TicketEntity, {
        id: randomUUID(),
        number: await this.nextNumber(manager, dispatchedAt),
        status: 'RECEIVED',
        category: dto.category,
        priority,
        channel: dto.channel ?? 'PHONE',
        district: dto.district,
        address: dto.address,
        addressKey: addressKey(dto.address),
        citizenName: dto.citizenName,
        citizenPhone: dto.citizenPhone,
        description: dto.description,
        companyId,
        dispatchedAt,
        policyVersion: policy.version,
        policy,
        stages: freshStages({ policy, category: dto.category }, dispatchedAt, calendar),
        createdBy: actor.username,
      });
      await manager.insert(TicketEntity, entity as QueryDeepPartialEntity<TicketEntity>);
      await manager.insert(TicketEventEntity, {
        ticketId: entity.id,
        type: 'CREATED',
        actor: actor.username,
        role: actor.role,
        payload: { companyId, priority, policyVersion: policy.version, dispatchedAt: dispatchedAt.toISOString() },
        at: dispatchedAt,
      });
      const ticket = await manager.findOneByOrFail(TicketEntity, { id: entity.id });
      // Same transaction: a concurrent retry with the same key waits on the key's row, then rolls back.
      if (idempotency && !(await this.remember(manager, idempotency, { statusCode: 201, ticket: mapTicket(ticket) }))) {
        throw new IdempotencyRaceLost();
      }
      return ticket;
    });
  }

  async findOne(id: string): Promise<TicketEntity> {
    const ticket = await this.dataSource.getRepository(TicketEntity).findOneBy({ id });
    if (!ticket) throw new NotFoundException(`Ticket ${id} does not exist`);
    return ticket;
  }

  /** A ticket as `actor` may see it: a crew sees only its own company's tickets, and others do not exist for it. */
  async findVisible(id: string, actor: Actor): Promise<TicketEntity> {
    const ticket = await this.findOne(id);
    if (actor.role === 'crew' && ticket.companyId !== actor.companyId) throw new NotFoundException(`Ticket ${id} does not exist`);
    return ticket;
  }

  /** Tickets newest first by keyset pages; a crew sees only its company's whatever it asks for. */
  async list(query: ListTicketsQueryDto, actor: Actor): Promise<{ items: TicketEntity[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const builder = this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .take(limit + 1);
    const companyId = actor.role === 'crew' ? actor.companyId : query.companyId;
    if (companyId) builder.andWhere('t.company_id = :companyId', { companyId });
    if (query.status) builder.andWhere('t.status = :status', { status: query.status });
    if (query.district) builder.andWhere('t.district = :district', { district: query.district });
    if (query.priority) builder.andWhere('t.priority = :priority', { priority: query.priority });
    if (query.overdue !== undefined) {
      const overdueNow = `(t.status NOT IN ('CLOSED', 'CANCELLED') AND EXISTS (
        SELECT 1 FROM jsonb_each(t.stages) s WHERE (s.value->>'overdue')::boolean AND s.value->>'doneAt' IS NULL))`;
      builder.andWhere(query.overdue ? overdueNow : `NOT ${overdueNow}`);
    }
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      builder.andWhere('(t.created_at, t.id) < (:at, :id)', { at: after.at, id: after.id });
    }
    const rows = await builder.getMany();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null };
  }

  async events(id: string, actor: Actor): Promise<TicketEventEntity[]> {
    await this.findVisible(id, actor);
    return this.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: id }, order: { id: 'ASC' } });
  }

  async escalations(id: string, actor: Actor): Promise<EscalationDto[]> {
    await this.findVisible(id, actor);
    return this.escalationRecords.forTicket(id);
  }

  /** Sends an action through the ticket's workflow and reads the ticket back (the HTTP answer shows the new state). */
  async act(id: string, input: ActionInput, actor: Actor): Promise<TicketEntity> {
    const ticket = await this.findVisible(id, actor);
    if (input.action === 'reassign') {
      await this.requireActiveCompany(this.dataSource.manager, input.companyId);
      if (input.companyId === ticket.companyId) {
        throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'The ticket is already at that company', { title: 'Same company' });
      }
    }
    try {
      await this.workflows.apply(ticket, input, { username: actor.username, role: actor.role });
    } catch (error) {
      const outcome = actionOutcomeOf(error instanceof HttpException ? error.getStatus() : undefined);
      if (outcome) this.metrics.ticketAction(input.action, outcome);
      throw error;
    }
    this.metrics.ticketAction(input.action, 'applied');
    return this.findOne(id);
  }

  private async requireActiveCompany(manager: EntityManager, companyId: string): Promise<string> {
    const company = await manager.findOneBy(CompanyEntity, { id: companyId });
    if (!company?.active) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Company ${companyId} does not exist or is not active`, {
        title: 'Unknown company',
      });
    }
    return company.id;
  }

  /** The active company serving the district; with several, the one with the fewest open tickets. */
  private async route(manager: EntityManager, district: District): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT c.id
         FROM companies c
         LEFT JOIN tickets t ON t.company_id = c.id AND t.status NOT IN ('CLOSED', 'CANCELLED')
        WHERE c.active AND $1 = ANY (c.districts)
        GROUP BY c.id, c.code
        ORDER BY count(t.id), c.code
        LIMIT 1`,
      [district],
    );
    if (rows.length === 0) {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        `No active heating company covers district ${district}; pass companyId or register a company for it`,
        { title: 'No company for district' },
      );
    }
    return rows[0].id;
  }

  /** Next number of the local day, from a counter row locked by the upsert: unique and gap-free per day. */
  private async nextNumber(manager: EntityManager, dispatchedAt: Date): Promise<string> {
    const day = localDate(dispatchedAt);
    const [row]: Array<{ last_value: number }> = await manager.query(
      `INSERT INTO ticket_number_counters (day, last_value) VALUES ($1, 1)
       ON CONFLICT (day) DO UPDATE SET last_value = ticket_number_counters.last_value + 1
       RETURNING last_value`,
      [day],
    );
    return formatTicketNumber(day, row.last_value);
  }
}

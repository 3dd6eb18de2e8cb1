import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  addressKey,
  CATEGORY_DEFAULTS,
  dispatchDeadlines,
  effectivePriority,
  formatTicketNumber,
  localDate,
  District,
} from '@app/domain';
import { ProblemException } from '@app/http';
import { CompanyEntity, TicketEntity, TicketEventEntity, TicketStages } from '@app/persistence';
import { SlaPolicyService, WorkCalendarService } from '@app/sla';
import { CreateTicketDto } from './dto/create-ticket.dto';
import { TicketWorkflowStarter } from './ticket-workflow-starter.service';

/** Who acts: recorded on every audit event. Auth fills it from the token. */
export interface Actor {
  readonly username: string;
  readonly role: string;
}

@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: SlaPolicyService,
    private readonly calendars: WorkCalendarService,
    private readonly starter: TicketWorkflowStarter,
  ) {}

  /**
   * Dispatches a new ticket: one transaction stores it with its deadlines and audit event, then its
   * workflow is started. If Temporal is down the ticket still stands and the start is retried.
   */
  async create(dto: CreateTicketDto, actor: Actor): Promise<TicketEntity> {
    const calendar = await this.calendars.load();
    const ticket = await this.dataSource.transaction(async (manager) => {
      const companyId = dto.companyId ? await this.requireActiveCompany(manager, dto.companyId) : await this.route(manager, dto.district);
      const priority = effectivePriority(dto.category, dto.priority);
      const policy = await this.policies.current(priority, manager);
      const dispatchedAt = new Date();
      const stages: TicketStages = {};
      for (const deadline of dispatchDeadlines(dispatchedAt, policy, CATEGORY_DEFAULTS[dto.category].visitNeeded, calendar)) {
        stages[deadline.stage] = {
          startsAt: deadline.startsAt.toISOString(),
          dueAt: deadline.dueAt.toISOString(),
          doneAt: null,
          overdue: false,
        };
      }
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
        stages,
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
      return manager.findOneByOrFail(TicketEntity, { id: entity.id });
    });
    await this.starter.tryStart(ticket);
    return ticket;
  }

  async findOne(id: string): Promise<TicketEntity> {
    const ticket = await this.dataSource.getRepository(TicketEntity).findOneBy({ id });
    if (!ticket) throw new NotFoundException(`Ticket ${id} does not exist`);
    return ticket;
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

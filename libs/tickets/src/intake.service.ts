import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Category, District } from '@app/domain';
import { OPEN_TICKET_SQL, TicketEntity } from '@app/persistence';
import { IntakeCompanyDto, IntakeTicketDto, MAX_INTAKE_OPEN_TICKETS } from './dto/intake.dto';
import { repeatCallMatch } from './repeat-calls.service';
import { TicketRouting } from './ticket-routing.service';

/** What the form has typed so far: each part optional. */
export interface IntakeDetails {
  readonly citizenPhone?: string;
  readonly district?: District;
  readonly address?: string;
  readonly category?: Category;
}

/** What a submit of the details would meet now, read by the same rules POST /tickets applies, changing nothing. */
export interface IntakePreview {
  readonly repeatOf: TicketEntity | null;
  readonly openTickets: IntakeTicketDto[];
  readonly company: IntakeCompanyDto | null;
  readonly companyProblem: string | null;
}

export const NO_COMPANY_FOR_DISTRICT =
  '该区暂无在用的供热单位承办，提交将被拒绝（422）：请指定承办单位或登记该区的单位。 No active heating company covers the district: a submit is refused (422) unless it names companyId.';

/**
 * The operator's new-ticket form (issue 10): while the phone or address is typed, the caller's open tickets,
 * the ticket a submit would be a repeat call (催办) on, and the company a new ticket would go to. Reads only:
 * nothing is locked or recorded, so the answer is what POST /tickets would decide at this instant.
 */
@Injectable()
export class IntakeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly routing: TicketRouting,
  ) {}

  async preview(details: IntakeDetails, now = new Date()): Promise<IntakePreview> {
    const manager = this.dataSource.manager;
    const { citizenPhone, district, address, category } = details;
    const [repeatOf, openTickets, company] = await Promise.all([
      citizenPhone && address && category ? repeatCallMatch(manager, { citizenPhone, address, category }, now).getOne() : null,
      citizenPhone ? this.openTicketsOf(citizenPhone) : [],
      district ? this.routing.preview(manager, district) : null,
    ]);
    return {
      repeatOf: repeatOf ?? null,
      openTickets,
      company,
      companyProblem: district && !company ? NO_COMPANY_FOR_DISTRICT : null,
    };
  }

  /** The caller's open tickets, any address or category, newest first (the repeat-match index leads with the phone). */
  private async openTicketsOf(citizenPhone: string): Promise<IntakeTicketDto[]> {
    const tickets = await this.dataSource
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.number', 't.status', 't.category', 't.district', 't.address', 't.createdAt', 't.escalationLevel'])
      .where('t.citizen_phone = :citizenPhone', { citizenPhone })
      .andWhere(OPEN_TICKET_SQL('t'))
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(MAX_INTAKE_OPEN_TICKETS)
      .getMany();
    return tickets.map((ticket) => ({
      id: ticket.id,
      number: ticket.number,
      status: ticket.status,
      category: ticket.category,
      district: ticket.district,
      address: ticket.address,
      createdAt: ticket.createdAt.toISOString(),
      escalationLevel: ticket.escalationLevel,
    }));
  }
}

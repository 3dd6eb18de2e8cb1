import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { District } from '@app/domain';
import { ProblemException } from '@app/http';
import { CompanyEntity, OPEN_TICKET_SQL, TicketEntity } from '@app/persistence';

/** Which heating company a ticket goes to. */
@Injectable()
export class TicketRouting {
  /** The company when it exists and is active; 422 otherwise. */
  async requireActiveCompany(manager: EntityManager, companyId: string): Promise<string> {
    const company = await manager.findOneBy(CompanyEntity, { id: companyId });
    if (!company?.active) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Company ${companyId} does not exist or is not active`, {
        title: 'Unknown company',
      });
    }
    return company.id;
  }

  /** The active company serving the district; with several, the one with the fewest open tickets. 422 when none does. */
  async route(manager: EntityManager, district: District): Promise<string> {
    const chosen = await this.preview(manager, district);
    if (!chosen) {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        `No active heating company covers district ${district}; pass companyId or register a company for it`,
        { title: 'No company for district' },
      );
    }
    return chosen.id;
  }

  /** The company `route` would choose for the district now (the one query of the rule), or null when none covers it. */
  async preview(manager: EntityManager, district: District): Promise<{ id: string; name: string } | null> {
    const chosen = await manager
      .createQueryBuilder(CompanyEntity, 'c')
      .select('c.id', 'id')
      .addSelect('c.name', 'name')
      .leftJoin(TicketEntity, 't', `t.company_id = c.id AND ${OPEN_TICKET_SQL('t')}`)
      .where('c.active AND :district = ANY (c.districts)', { district })
      .groupBy('c.id')
      .addGroupBy('c.code')
      .orderBy('count(t.id)')
      .addOrderBy('c.code')
      .limit(1)
      .getRawOne<{ id: string; name: string }>();
    return chosen ? { id: chosen.id, name: chosen.name } : null;
  }
}

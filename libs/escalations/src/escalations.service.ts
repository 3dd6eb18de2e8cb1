import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { decodeCursor, encodeCursor } from '@app/http';
import { EscalationEntity, NoticeEntity } from '@app/persistence';
import { ListEscalationsQueryDto, mapEscalation, mapNotice, EscalationDto, NoticePageDto } from './escalation.dto';

@Injectable()
export class EscalationsService {
  constructor(
    @InjectRepository(EscalationEntity) private readonly escalations: Repository<EscalationEntity>,
    @InjectRepository(NoticeEntity) private readonly notices: Repository<NoticeEntity>,
  ) {}

  /** Fired rungs, newest first; `scopeCompanyId` forces a crew's own company whatever it asked for. */
  async list(query: ListEscalationsQueryDto, scopeCompanyId?: string): Promise<EscalationDto[]> {
    const builder = this.escalations.createQueryBuilder('e').orderBy('e.fired_at', 'DESC').addOrderBy('e.id', 'DESC').take(1000);
    const companyId = scopeCompanyId ?? query.companyId;
    if (companyId) builder.andWhere('e.company_id = :companyId', { companyId });
    if (query.level) builder.andWhere('e.level = :level', { level: query.level });
    if (query.from) builder.andWhere('e.fired_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('e.fired_at < :to', { to: query.to });
    return (await builder.getMany()).map(mapEscalation);
  }

  async forTicket(ticketId: string): Promise<EscalationDto[]> {
    return (await this.escalations.find({ where: { ticketId }, order: { firedAt: 'ASC', id: 'ASC' } })).map(mapEscalation);
  }

  /** Published notices, newest first, by keyset pages. */
  async publicNotices(limit = 50, cursor?: string): Promise<NoticePageDto> {
    const builder = this.notices.createQueryBuilder('n').orderBy('n.published_at', 'DESC').addOrderBy('n.id', 'DESC').take(limit + 1);
    if (cursor) {
      const after = decodeCursor(cursor);
      builder.where('(n.published_at, n.id) < (:at, :id)', { at: after.at, id: after.id });
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(mapNotice),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.publishedAt, id: last.id }) : null,
    };
  }
}

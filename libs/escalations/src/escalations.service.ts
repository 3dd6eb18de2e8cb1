import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { COMPANY_STAGES } from '@app/domain';
import { keysetPage, PageQueryDto } from '@app/http';
import { EscalationEntity, NoticeEntity } from '@app/persistence';
import { EscalationDto, EscalationPageDto, ListEscalationsQueryDto, mapEscalation, mapNotice, NoticePageDto } from './escalation.dto';

@Injectable()
export class EscalationsService {
  constructor(
    @InjectRepository(EscalationEntity) private readonly escalations: Repository<EscalationEntity>,
    @InjectRepository(NoticeEntity) private readonly notices: Repository<NoticeEntity>,
  ) {}

  /** Fired rungs, newest first, by keyset pages; `companyId` is the filter the access policy allowed. */
  async list(query: ListEscalationsQueryDto, companyId: string | undefined): Promise<EscalationPageDto> {
    const builder = this.escalations.createQueryBuilder('e');
    // A company's escalations are those of the stages it answers for, not the hotline's callback.
    if (companyId) builder.andWhere('e.company_id = :companyId AND e.stage IN (:...companyStages)', { companyId, companyStages: COMPANY_STAGES });
    if (query.level) builder.andWhere('e.level = :level', { level: query.level });
    if (query.from) builder.andWhere('e.fired_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('e.fired_at < :to', { to: query.to });
    const page = await keysetPage(builder, { alias: 'e', instant: 'e.fired_at' }, query);
    return { items: page.items.map(mapEscalation), nextCursor: page.nextCursor };
  }

  async forTicket(ticketId: string): Promise<EscalationDto[]> {
    return (await this.escalations.find({ where: { ticketId }, order: { firedAt: 'ASC', id: 'ASC' } })).map(mapEscalation);
  }

  /** Published notices, newest first, by keyset pages. */
  async publicNotices(query: PageQueryDto): Promise<NoticePageDto> {
    const page = await keysetPage(this.notices.createQueryBuilder('n'), { alias: 'n', instant: 'n.published_at' }, query);
    return { items: page.items.map(mapNotice), nextCursor: page.nextCursor };
  }
}

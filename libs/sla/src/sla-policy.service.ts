import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { parseDurationMs, Priority, SlaPolicySnapshot, SlaPolicyTerms } from '@app/domain';
import { ProblemException } from '@app/http';
import { mapPolicy, SlaPolicyDto } from './dto/sla.dto';

/** The terms added after the first release: a body may leave them out, and they stay as they are. */
const LATER_TERMS = ['returnWindow', 'extensionCap', 'designatedFromDispatch', 'callbackWithin', 'callbackAttempts', 'pauseCap'] as const;
type LaterTerm = (typeof LATER_TERMS)[number];

function pickTerms(terms: SlaPolicyTerms): SlaPolicyTerms {
  const { accept, contact, visit, reply, remediate, warningAfter, noticeAfter, calendar } = terms;
  const later = Object.fromEntries(LATER_TERMS.map((term) => [term, terms[term]])) as Pick<SlaPolicyTerms, LaterTerm>;
  return { accept, contact, visit, reply, remediate, warningAfter, noticeAfter, calendar, ...later };
}
import { SlaPolicyEntity } from '@app/persistence';

export function toPolicySnapshot(entity: SlaPolicyEntity): SlaPolicySnapshot {
  return {
    priority: entity.priority,
    version: entity.version,
    accept: entity.accept,
    contact: entity.contact,
    visit: entity.visit,
    reply: entity.reply,
    remediate: entity.remediate,
    warningAfter: entity.warningAfter,
    noticeAfter: entity.noticeAfter,
    calendar: entity.calendar,
    returnWindow: entity.returnWindow,
    extensionCap: entity.extensionCap,
    designatedFromDispatch: entity.designatedFromDispatch,
    callbackWithin: entity.callbackWithin,
    callbackAttempts: entity.callbackAttempts,
    pauseCap: entity.pauseCap,
  };
}

@Injectable()
export class SlaPolicyService {
  constructor(@InjectRepository(SlaPolicyEntity) private readonly policies: Repository<SlaPolicyEntity>) {}

  async currentAll(): Promise<SlaPolicyDto[]> {
    const rows = await this.policies
      .createQueryBuilder('p')
      .distinctOn(['p.priority'])
      .orderBy('p.priority')
      .addOrderBy('p.version', 'DESC')
      .getMany();
    return rows.map((row) => mapPolicy(toPolicySnapshot(row), row.createdAt));
  }

  /**
   * Stores the next version. Concurrent admins cannot both write version N+1: the primary key refuses the
   * second, which retries on top of the first.
   */
  async storeVersion(
    priority: Priority,
    given: Omit<SlaPolicyTerms, LaterTerm> & Partial<SlaPolicyTerms>,
  ): Promise<SlaPolicyDto> {
    const current = await this.current(priority);
    const terms: SlaPolicyTerms = {
      ...pickTerms(current),
      ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    } as SlaPolicyTerms;
    if (parseDurationMs(terms.noticeAfter) <= parseDurationMs(terms.warningAfter)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'noticeAfter must be longer than warningAfter (a notice follows a warning)', {
        title: 'Validation failed',
        errors: [{ field: 'noticeAfter', message: 'noticeAfter must be longer than warningAfter' }],
      });
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const { version } = await this.current(priority);
      const [row]: Array<{ created_at: Date }> = await this.policies.query(
        `INSERT INTO sla_policies (priority, version, accept, contact, visit, reply, remediate, warning_after, notice_after, calendar,
                                   return_window, extension_cap, designated_from_dispatch, callback_within, callback_attempts, pause_cap)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING RETURNING created_at`,
        [
          priority,
          version + 1,
          terms.accept,
          terms.contact,
          terms.visit,
          terms.reply,
          terms.remediate,
          terms.warningAfter,
          terms.noticeAfter,
          terms.calendar,
          terms.returnWindow,
          terms.extensionCap,
          terms.designatedFromDispatch,
          terms.callbackWithin,
          terms.callbackAttempts,
          terms.pauseCap,
        ],
      );
      if (row) return mapPolicy({ priority, version: version + 1, ...pickTerms(terms) }, row.created_at);
    }
    throw new ProblemException(HttpStatus.CONFLICT, `Policy ${priority} is being changed concurrently; try again`);
  }

  /** The newest version of a priority's policy: what a ticket dispatched now snapshots. */
  async current(priority: Priority, manager?: EntityManager): Promise<SlaPolicySnapshot> {
    const repository = manager ? manager.getRepository(SlaPolicyEntity) : this.policies;
    const [latest] = await repository.find({ where: { priority }, order: { version: 'DESC' }, take: 1 });
    if (!latest) throw new NotFoundException(`No SLA policy for priority ${priority}`);
    return toPolicySnapshot(latest);
  }
}

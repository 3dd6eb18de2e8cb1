import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { parseDurationMs, Priority, SlaPolicySnapshot, SlaPolicyTerms } from '@app/domain';
import { ProblemException } from '@app/http';
import { mapPolicy, SlaPolicyDto } from './dto/sla.dto';

function pickTerms(terms: SlaPolicyTerms): SlaPolicyTerms {
  const { accept, contact, visit, reply, remediate, warningAfter, noticeAfter, calendar, returnWindow, extensionCap, designatedFromDispatch, callbackWithin, callbackAttempts } =
    terms;
  return { accept, contact, visit, reply, remediate, warningAfter, noticeAfter, calendar, returnWindow, extensionCap, designatedFromDispatch, callbackWithin, callbackAttempts };
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
    given: Omit<SlaPolicyTerms, 'returnWindow' | 'extensionCap' | 'designatedFromDispatch' | 'callbackWithin' | 'callbackAttempts'> & Partial<SlaPolicyTerms>,
  ): Promise<SlaPolicyDto> {
    // The return, extension, designation and callback rules a body leaves out stay as they are.
    const current = await this.current(priority);
    const terms: SlaPolicyTerms = {
      returnWindow: current.returnWindow,
      extensionCap: current.extensionCap,
      designatedFromDispatch: current.designatedFromDispatch,
      callbackWithin: current.callbackWithin,
      callbackAttempts: current.callbackAttempts,
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
                                   return_window, extension_cap, designated_from_dispatch, callback_within, callback_attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING RETURNING created_at`,
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

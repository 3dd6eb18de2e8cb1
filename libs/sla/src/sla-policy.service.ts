import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Priority, SlaPolicySnapshot } from '@app/domain';
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
  };
}

@Injectable()
export class SlaPolicyService {
  constructor(@InjectRepository(SlaPolicyEntity) private readonly policies: Repository<SlaPolicyEntity>) {}

  /** The newest version of a priority's policy: what a ticket dispatched now snapshots. */
  async current(priority: Priority, manager?: EntityManager): Promise<SlaPolicySnapshot> {
    const repository = manager ? manager.getRepository(SlaPolicyEntity) : this.policies;
    const [latest] = await repository.find({ where: { priority }, order: { version: 'DESC' }, take: 1 });
    if (!latest) throw new NotFoundException(`No SLA policy for priority ${priority}`);
    return toPolicySnapshot(latest);
  }
}

import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { indoorStandardProblems } from '@app/domain';
import type { IndoorStandardSnapshot, IndoorStandardTerms } from '@app/domain';
import { ProblemException } from '@app/http';
import { IndoorStandardEntity } from '@app/persistence';
import { IndoorStandardDto, mapIndoorStandard } from './dto/indoor-standard.dto';

export function toIndoorStandardSnapshot(entity: IndoorStandardEntity): IndoorStandardSnapshot {
  return { version: entity.version, celsius: entity.celsius, rooms: entity.rooms, refundTiers: entity.refundTiers };
}

/** The indoor temperature standard as versioned admin data (domain.md §3): each ticket snapshots the newest at creation. */
@Injectable()
export class IndoorStandardService {
  constructor(@InjectRepository(IndoorStandardEntity) private readonly standards: Repository<IndoorStandardEntity>) {}

  async currentDto(): Promise<IndoorStandardDto> {
    const row = await this.newest();
    return mapIndoorStandard(toIndoorStandardSnapshot(row), row.createdAt, row.createdBy);
  }

  /** The newest version: what a ticket created now snapshots. */
  async current(manager?: EntityManager): Promise<IndoorStandardSnapshot> {
    return toIndoorStandardSnapshot(await this.newest(manager));
  }

  /** Stores the next version; two admins at once cannot both write version N+1 (the primary key refuses one, which retries). */
  async storeVersion(terms: IndoorStandardTerms, by: string): Promise<IndoorStandardDto> {
    const problems = indoorStandardProblems(terms);
    if (problems.length > 0) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, `Invalid request: ${problems.join('; ')}`, {
        title: 'Validation failed',
        errors: problems.map((message) => ({ field: message.split(/[\s[.]/)[0], message })),
      });
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const { version } = await this.newest();
      const [row]: Array<{ created_at: Date }> = await this.standards.query(
        `INSERT INTO indoor_standards (version, celsius, rooms, refund_tiers, created_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING created_at`,
        [version + 1, terms.celsius, terms.rooms, JSON.stringify(terms.refundTiers), by],
      );
      if (row) return mapIndoorStandard({ version: version + 1, celsius: terms.celsius, rooms: terms.rooms, refundTiers: terms.refundTiers }, row.created_at, by);
    }
    throw new ProblemException(HttpStatus.CONFLICT, 'The indoor standard is being changed concurrently; try again');
  }

  private async newest(manager?: EntityManager): Promise<IndoorStandardEntity> {
    const repository = manager ? manager.getRepository(IndoorStandardEntity) : this.standards;
    const [latest] = await repository.find({ order: { version: 'DESC' }, take: 1 });
    if (!latest) throw new NotFoundException('No indoor temperature standard is stored (the migrations did not run)');
    return latest;
  }
}

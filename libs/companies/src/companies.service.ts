import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { AuthenticatedUser } from '@app/auth';
import { CompanyEntity } from '@app/persistence';
import { CreateCompanyDto } from './dto/create-company.dto';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class CompaniesService {
  constructor(@InjectRepository(CompanyEntity) private readonly companies: Repository<CompanyEntity>) {}

  /** The unique code decides duplicates, so two concurrent creates give one 201 and one 409. */
  async create(dto: CreateCompanyDto): Promise<CompanyEntity> {
    try {
      const inserted = await this.companies.insert({ code: dto.code, name: dto.name, districts: dto.districts });
      return await this.companies.findOneByOrFail({ id: inserted.identifiers[0].id as string });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictException(`Company code ${dto.code} is already taken`);
      }
      throw error;
    }
  }

  /** Everyone sees every company, except a crew user, who sees only its own. */
  async listVisibleTo(user: AuthenticatedUser): Promise<CompanyEntity[]> {
    if (user.role !== 'crew') return this.companies.find({ order: { code: 'ASC' } });
    // Explicit: TypeORM reads `{ id: undefined }` as no condition at all.
    if (!user.companyId) return [];
    return this.companies.findBy({ id: user.companyId });
  }
}

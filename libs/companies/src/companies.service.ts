import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { companyFilterFor } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { CompanyEntity } from '@app/persistence';
import { CreateCompanyDto } from './dto/create-company.dto';
import { UpdateCompanyDto } from './dto/update-company.dto';

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

  /**
   * Changes what `dto` names and keeps the rest. Deactivating takes the company out of routing and explicit
   * dispatch (TicketRouting looks at `active`); its open tickets stay until an operator reassigns them.
   */
  async update(id: string, dto: UpdateCompanyDto): Promise<CompanyEntity> {
    const changes: Partial<Pick<CompanyEntity, 'name' | 'districts' | 'active'>> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.districts !== undefined) changes.districts = dto.districts;
    if (dto.active !== undefined) changes.active = dto.active;
    if (Object.keys(changes).length > 0) await this.companies.update({ id }, changes);
    const company = await this.companies.findOneBy({ id });
    if (!company) throw new NotFoundException(`Company ${id} does not exist`);
    return company;
  }

  /** The companies the access policy lets the user see (a crew: its own). */
  async listVisibleTo(user: AuthenticatedUser): Promise<CompanyEntity[]> {
    const filter = companyFilterFor(user);
    if (!filter) return [];
    // Explicit: TypeORM reads `{ id: undefined }` as no condition at all.
    return filter.companyId ? this.companies.findBy({ id: filter.companyId }) : this.companies.find({ order: { code: 'ASC' } });
  }
}

import { ConflictException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { ProblemException } from '@app/http';
import { UserEntity } from '@app/persistence';
import { CreateUserDto } from './dto/create-user.dto';
import { PasswordHasher } from './password-hasher.service';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * One INSERT: the unique username and the company foreign key decide duplicates and unknown companies,
   * so two admins creating the same name at once get one 201 and one 409.
   */
  async create(dto: CreateUserDto): Promise<UserEntity> {
    // The DTO already lower-cases; repeated here for callers that skip HTTP (bootstrap scripts, tests).
    const username = dto.username.trim().toLowerCase();
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      const inserted = await this.users.insert({ username, passwordHash, role: dto.role, companyId: dto.companyId ?? null });
      return await this.users.findOneByOrFail({ id: inserted.identifiers[0].id as string });
    } catch (error) {
      const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
      if (code === UNIQUE_VIOLATION) throw new ConflictException(`Username ${username} is already taken`);
      if (code === FOREIGN_KEY_VIOLATION) {
        throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Company ${dto.companyId} does not exist`, { title: 'Unknown company' });
      }
      throw error;
    }
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }
}

import { ConflictException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { isUUID } from 'class-validator';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import type { Role } from '@app/domain';
import { ProblemException } from '@app/http';
import { UserEntity } from '@app/persistence';
import { UpdateUserDto } from './dto/account.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { PasswordHasher } from './password-hasher.service';
import { passwordProblem } from './password-policy';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
/** Serialises changes that could leave no active admin (two admins demoting each other at once). */
const ADMIN_SET_LOCK = 8890_0002;

/** What the authentication guard reads on every request: one primary-key lookup. */
export interface CredentialState {
  readonly tokenVersion: number;
  readonly active: boolean;
  readonly mustChangePassword: boolean;
}

const UPDATABLE: ReadonlyArray<keyof UpdateUserDto> = ['active', 'role', 'companyId', 'displayName'];

function driverCode(error: unknown): { code?: string; constraint?: string } {
  return error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : {};
}

function unknownCompany(companyId: string | null | undefined): ProblemException {
  return new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Company ${companyId} does not exist`, { title: 'Unknown company' });
}

function companyMismatch(role: Role): ProblemException {
  const message =
    role === 'crew'
      ? 'companyId is required for the crew role: send the company the user works for'
      : `companyId is only for crew users, not for role ${role}: send companyId: null`;
  return new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `A crew user belongs to exactly one company and every other role to none. ${message}.`, {
    title: 'Role and company do not fit',
    errors: [{ field: 'companyId', message }],
  });
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * One INSERT: the unique username and the company foreign key decide duplicates and unknown companies,
   * so two admins creating the same name at once get one 201 and one 409. The password was checked
   * against the password policy by CreateUserDto.
   */
  async create(dto: CreateUserDto): Promise<UserEntity> {
    // The DTO already lower-cases; repeated here for callers that skip HTTP (bootstrap scripts, tests).
    const username = dto.username.trim().toLowerCase();
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      const inserted = await this.users.insert({ username, displayName: dto.displayName ?? null, passwordHash, role: dto.role, companyId: dto.companyId ?? null });
      return await this.users.findOneByOrFail({ id: inserted.identifiers[0].id as string });
    } catch (error) {
      const { code } = driverCode(error);
      if (code === UNIQUE_VIOLATION) throw new ConflictException(`Username ${username} is already taken`);
      if (code === FOREIGN_KEY_VIOLATION) throw unknownCompany(dto.companyId);
      throw error;
    }
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(`User ${id} does not exist`);
    return user;
  }

  /** The row's token version and flags, or null for no such user. Raw SQL: this runs on every request. */
  async credentialState(id: string): Promise<CredentialState | null> {
    if (!isUUID(id)) return null;
    const rows: Array<{ token_version: number; active: boolean; must_change_password: boolean }> = await this.users.query(
      'SELECT token_version, active, must_change_password FROM users WHERE id = $1',
      [id],
    );
    if (rows.length === 0) return null;
    return { tokenVersion: rows[0].token_version, active: rows[0].active, mustChangePassword: rows[0].must_change_password };
  }

  /**
   * Changes what the admin sent, in one transaction over the locked row; nothing on a 4xx. A change of
   * role, company or `active` revokes the user's tokens (the users_revoke_tokens trigger); a display name
   * does not. The last active admin can be neither deactivated nor given another role.
   */
  async update(id: string, dto: UpdateUserDto): Promise<UserEntity> {
    const sent = UPDATABLE.filter((field) => dto[field] !== undefined);
    if (sent.length === 0) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, `Send at least one of ${UPDATABLE.join(', ')}.`, { title: 'Nothing to change' });
    }
    try {
      return await this.users.manager.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_SET_LOCK]);
        const user = await manager.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!user) throw new NotFoundException(`User ${id} does not exist`);
        const next = {
          active: dto.active ?? user.active,
          role: dto.role ?? user.role,
          companyId: dto.companyId !== undefined ? dto.companyId : user.companyId,
          displayName: dto.displayName !== undefined ? dto.displayName : user.displayName,
        };
        if ((next.role === 'crew') !== (next.companyId !== null)) throw companyMismatch(next.role);
        const stillAdmin = next.role === 'admin' && next.active;
        if (user.role === 'admin' && user.active && !stillAdmin && (await this.otherActiveAdmins(manager, id)) === 0) {
          throw new ProblemException(HttpStatus.CONFLICT, `${user.username} is the last active admin: make another user an admin first.`, {
            title: 'Last admin',
          });
        }
        await manager.update(UserEntity, { id }, next);
        return manager.findOneByOrFail(UserEntity, { id });
      });
    } catch (error) {
      const { code, constraint } = driverCode(error);
      if (code === FOREIGN_KEY_VIOLATION) throw unknownCompany(dto.companyId);
      if (code === CHECK_VIOLATION && constraint === 'users_crew_has_company') throw companyMismatch(dto.role ?? 'crew');
      throw error;
    }
  }

  /**
   * A random one-time password for the user, who must replace it at the next sign-in; its earlier
   * tokens stop working (the password changed). Returns the password: the only time it exists in clear.
   */
  async resetPassword(id: string): Promise<{ user: UserEntity; oneTimePassword: string }> {
    const user = await this.get(id);
    let oneTimePassword: string;
    // 120 random bits always pass; checked anyway, so the policy is the one word on what a password may be.
    do oneTimePassword = randomBytes(15).toString('base64url');
    while (passwordProblem(oneTimePassword, 'oneTimePassword', [user.username]) !== null);
    const passwordHash = await this.hasher.hash(oneTimePassword);
    const result = await this.users.update({ id }, { passwordHash, mustChangePassword: true });
    if (result.affected !== 1) throw new NotFoundException(`User ${id} does not exist`);
    return { user: await this.get(id), oneTimePassword };
  }

  private async otherActiveAdmins(manager: EntityManager, id: string): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      `SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND active AND id <> $1`,
      [id],
    );
    return rows[0].count;
  }
}

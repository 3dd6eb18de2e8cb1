import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthenticatedUser } from '@app/domain';
import { ProblemException } from '@app/http';
import { UserEntity } from '@app/persistence';
import { ChangePasswordDto } from './dto/account.dto';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher.service';
import { assertAcceptablePassword } from './password-policy';
import { TokenService } from './token.service';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * One answer for an unknown name, a wrong password and a deactivated user, after the same bcrypt work,
   * so none of them leaks. Failures count against the username and the client address (LoginThrottle).
   */
  async login(dto: LoginDto, clientIp: string | undefined): Promise<LoginResponseDto> {
    const attempt = await this.throttle.begin(clientIp, dto.username);
    const user = await this.users.findOneBy({ username: attempt.username });
    const valid = await this.hasher.verify(dto.password, user?.passwordHash);
    if (!user || !valid || !user.active) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'Wrong username or password.');
    await this.throttle.succeeded(attempt);
    return this.signedIn(user);
  }

  /**
   * The signed-in user replaces its password (also the way out of an admin's reset). A wrong current
   * password is a failed sign-in for the throttle, so a stolen token cannot be used to guess it. Every
   * earlier token of the user stops working, the one of this request too: the answer carries a new one.
   */
  async changePassword(who: AuthenticatedUser, dto: ChangePasswordDto, clientIp: string | undefined): Promise<LoginResponseDto> {
    const user = await this.users.findOneByOrFail({ id: who.id });
    if (dto.newPassword === dto.currentPassword) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Invalid request: newPassword', {
        title: 'Validation failed',
        errors: [{ field: 'newPassword', message: 'newPassword must differ from currentPassword' }],
      });
    }
    assertAcceptablePassword(dto.newPassword, 'newPassword', [user.username, user.displayName ?? '']);
    const attempt = await this.throttle.begin(clientIp, user.username);
    if (!(await this.hasher.verify(dto.currentPassword, user.passwordHash))) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'currentPassword is not the password of this account; nothing was changed.', {
        title: 'Wrong password',
        errors: [{ field: 'currentPassword', message: 'currentPassword is wrong' }],
      });
    }
    await this.throttle.succeeded(attempt);
    const passwordHash = await this.hasher.hash(dto.newPassword);
    // Only over the hash just verified: a reset or change that got in meanwhile wins, and this one fails.
    const result = await this.users.update({ id: user.id, passwordHash: user.passwordHash }, { passwordHash, mustChangePassword: false });
    if (result.affected !== 1) {
      throw new ProblemException(HttpStatus.CONFLICT, 'The password was changed or reset meanwhile; nothing was changed. Sign in again.');
    }
    return this.signedIn(await this.users.findOneByOrFail({ id: user.id }));
  }

  private async signedIn(user: UserEntity): Promise<LoginResponseDto> {
    const who = { id: user.id, username: user.username, role: user.role, companyId: user.companyId };
    const { accessToken, expiresIn } = await this.tokens.issue(who, user.tokenVersion);
    return { accessToken, expiresIn, user: { ...who, displayName: user.displayName }, mustChangePassword: user.mustChangePassword };
  }
}

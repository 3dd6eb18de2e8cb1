import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ProblemException } from '@app/http';
import { UserEntity } from '@app/persistence';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { PasswordHasher } from './password-hasher.service';
import { TokenService } from './token.service';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
  ) {}

  /** One answer for an unknown name and a wrong password, after the same bcrypt work, so neither leaks. */
  async login(dto: LoginDto): Promise<LoginResponseDto> {
    const user = await this.users.findOneBy({ username: dto.username.trim().toLowerCase() });
    const valid = await this.hasher.verify(dto.password, user?.passwordHash);
    if (!user || !valid) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'Wrong username or password.');
    const signedIn = { id: user.id, username: user.username, role: user.role, companyId: user.companyId };
    const { accessToken, expiresIn } = await this.tokens.issue(signedIn);
    return { accessToken, expiresIn, user: signedIn };
  }
}

import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createSecretKey } from 'node:crypto';
import { APP_CONFIG, AppConfig, resolveJwtSecret } from '@app/config';
import { UserEntity } from '@app/persistence';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher.service';
import { RolesGuard } from './roles.guard';
import { TokenService } from './token.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Login, users and the two global guards (authentication, then roles). Only the API imports it; the
 * signing key is resolved here, so the worker never needs JWT_SECRET.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const { secret, generated } = resolveJwtSecret(config);
        if (generated) {
          new Logger(AuthModule.name).warn(
            'JWT_SECRET is not set: signing tokens with a random key made for this process. Tokens will not survive a ' +
              'restart and will not work across replicas; set JWT_SECRET (at least 32 characters) to fix that.',
          );
        }
        // A KeyObject, made once: given the string, jsonwebtoken makes one on every sign and verify, after first
        // trying (and failing) to parse it as a PEM public key, which was a fifth of a signed-in read's CPU.
        // The same bytes as the string (UTF-8), so the tokens are the same.
        return { secret: createSecretKey(Buffer.from(secret, 'utf8')) };
      },
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [
    // Guards run in this order: who you are, then whether your role may.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    AuthService,
    UsersService,
    PasswordHasher,
    TokenService,
    LoginThrottle,
    BootstrapAdminService,
  ],
  exports: [PasswordHasher, TokenService, UsersService],
})
export class AuthModule {}

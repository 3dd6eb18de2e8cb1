import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, isUUID, Matches, MinLength, registerDecorator, ValidationArguments } from 'class-validator';
import { MAX_PASSWORD_BYTES, USERNAME_PATTERN } from '@app/config';
import { ROLES } from '@app/domain';
import type { Role } from '@app/domain';

export const MIN_PASSWORD_LENGTH = 8;

function FitsBcrypt(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'fitsBcrypt',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value) <= MAX_PASSWORD_BYTES,
        defaultMessage: () => `password must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8`,
      },
    });
}

/** companyId is required for crew (a UUID) and refused for every other role. */
function CompanyIdFitsRole(): PropertyDecorator {
  const roleOf = (args: ValidationArguments): unknown => (args.object as { role?: unknown }).role;
  return (target, propertyName) =>
    registerDecorator({
      name: 'companyIdFitsRole',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          roleOf(args) === 'crew' ? typeof value === 'string' && isUUID(value) : value === undefined || value === null,
        defaultMessage: (args: ValidationArguments) => {
          if (roleOf(args) !== 'crew') return `companyId is only for crew users, not for role ${String(roleOf(args))}`;
          return args.value === undefined || args.value === null ? 'companyId is required for the crew role' : 'companyId must be a UUID';
        },
      },
    });
}

export class CreateUserDto {
  @ApiProperty({ example: 'wang.li', pattern: USERNAME_PATTERN.source, description: 'Stored lower-case; must be unique.' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3-64 letters, digits, dots, dashes or underscores' })
  username: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH, format: 'password', description: `At most ${MAX_PASSWORD_BYTES} bytes.` })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @FitsBcrypt()
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for crew (its heating company); not allowed for other roles.' })
  @CompanyIdFitsRole()
  companyId?: string;
}

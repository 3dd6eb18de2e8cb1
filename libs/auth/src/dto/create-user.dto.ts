import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, isUUID, Matches, registerDecorator, ValidationArguments } from 'class-validator';
import { MAX_PASSWORD_BYTES, USERNAME_PATTERN } from '@app/config';
import { ROLES } from '@app/domain';
import type { Role } from '@app/domain';
import { IsAcceptablePassword, MIN_PASSWORD_LENGTH } from '../password-policy';
import { DisplayName } from './display-name';

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

  @ApiPropertyOptional({ example: '王丽', maxLength: 100, nullable: true, type: String, description: 'The name shown to people.' })
  @DisplayName()
  displayName?: string | null;

  @ApiProperty({
    minLength: MIN_PASSWORD_LENGTH,
    format: 'password',
    description: `At least ${MIN_PASSWORD_LENGTH} characters, at most ${MAX_PASSWORD_BYTES} bytes, not a common or easily guessed one, not built from the username.`,
  })
  @IsString()
  @IsAcceptablePassword(['username', 'displayName'])
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for crew (its heating company); not allowed for other roles.' })
  @CompanyIdFitsRole()
  companyId?: string;
}

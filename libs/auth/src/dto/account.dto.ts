import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { MAX_PASSWORD_BYTES } from '@app/config';
import { ROLES } from '@app/domain';
import type { Role } from '@app/domain';
import { IsAcceptablePassword, MIN_PASSWORD_LENGTH } from '../password-policy';
import { DisplayName } from './display-name';

/** Present (not null) when sent: for fields that may be left out but not cleared. */
const IfSent = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', description: 'The password the user signs in with now (or the one-time password of a reset).' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  currentPassword: string;

  @ApiProperty({
    format: 'password',
    minLength: MIN_PASSWORD_LENGTH,
    description: `At least ${MIN_PASSWORD_LENGTH} characters, at most ${MAX_PASSWORD_BYTES} bytes, not a common or easily guessed one, not built from the username, not the current one.`,
  })
  @IsString()
  @IsAcceptablePassword()
  newPassword: string;
}

/** Every field optional; at least one must be sent. A crew user keeps a company, every other role has none. */
export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'false: the user can no longer sign in, and its tokens stop working at once.' })
  @IfSent()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ enum: ROLES, description: 'Changing to crew needs a companyId; changing away from crew needs companyId: null.' })
  @IfSent()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'The crew’s company; null for every other role.' })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsUUID(undefined, { message: 'companyId must be a UUID (or null for a role other than crew)' })
  companyId?: string | null;

  @ApiPropertyOptional({ example: '王丽', maxLength: 100, nullable: true, type: String, description: 'null removes it.' })
  @DisplayName()
  displayName?: string | null;
}

export class PasswordResetDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ example: 'wang.li' })
  username: string;

  @ApiProperty({
    format: 'password',
    description: 'Shown this once and stored nowhere in clear: hand it to the user, who must replace it at the next sign-in.',
  })
  oneTimePassword: string;

  @ApiProperty({ example: true })
  mustChangePassword: boolean;
}

/** A body that must be empty: any field is 400. */
export class NoBodyDto {}

import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity } from '@app/persistence';
import { ROLES } from '@app/domain';
import type { Role } from '@app/domain';

/** A user as the API shows it: never the password hash nor the token version. */
export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'wang.li' })
  username: string;

  @ApiProperty({ example: '王丽', nullable: true, type: String })
  displayName: string | null;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  companyId: string | null;

  @ApiProperty({ description: 'false: the user cannot sign in.' })
  active: boolean;

  @ApiProperty({ description: 'true after an admin reset the password: the user must choose a new one (POST /auth/password) before anything else.' })
  mustChangePassword: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function mapUser(user: UserEntity): UserDto {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    companyId: user.companyId,
    active: user.active,
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt.toISOString(),
  };
}

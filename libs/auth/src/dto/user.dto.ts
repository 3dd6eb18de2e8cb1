import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity } from '@app/persistence';
import { ROLES } from '@app/domain';
import type { Role } from '@app/domain';

/** A user as the API shows it: never the password hash. */
export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'wang.li' })
  username: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  companyId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function mapUser(user: UserEntity): UserDto {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    companyId: user.companyId,
    createdAt: user.createdAt.toISOString(),
  };
}

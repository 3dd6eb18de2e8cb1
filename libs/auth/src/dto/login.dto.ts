import { ApiProperty, PickType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { UserDto } from './user.dto';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  password: string;
}

/** The signed-in user: who the token speaks for. */
export class SignedInUserDto extends PickType(UserDto, ['id', 'username', 'displayName', 'role', 'companyId'] as const) {}

export class LoginResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken: string;

  @ApiProperty({ example: 28800, description: 'Seconds until the token expires; then sign in again.' })
  expiresIn: number;

  @ApiProperty({ type: SignedInUserDto })
  user: SignedInUserDto;

  @ApiProperty({
    description:
      'true after an admin reset the password: until the user sets a new one with POST /auth/password, this token may call only GET /auth/me and POST /auth/password (403 otherwise).',
  })
  mustChangePassword: boolean;
}

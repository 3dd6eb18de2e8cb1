import { ApiProperty, OmitType } from '@nestjs/swagger';
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

/** The signed-in user, as in UserDto without the creation time. */
export class SignedInUserDto extends OmitType(UserDto, ['createdAt'] as const) {}

export class LoginResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken: string;

  @ApiProperty({ example: 28800, description: 'Seconds until the token expires; then sign in again.' })
  expiresIn: number;

  @ApiProperty({ type: SignedInUserDto })
  user: SignedInUserDto;
}

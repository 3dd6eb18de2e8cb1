import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { DISTRICTS } from '@app/domain';
import type { District } from '@app/domain';

export const COMPANY_CODE_PATTERN = /^[A-Z0-9-]{2,32}$/;

export class CreateCompanyDto {
  @ApiProperty({ example: 'TJRL-NK', pattern: COMPANY_CODE_PATTERN.source, description: 'Short unique code.' })
  @IsString()
  @Matches(COMPANY_CODE_PATTERN, { message: 'code must be 2-32 upper-case letters, digits or dashes' })
  code: string;

  @ApiProperty({ example: '天津热力南开分公司', maxLength: 200 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: DISTRICTS, isArray: true, example: ['NANKAI', 'HEXI'], description: 'The districts it serves: non-empty, no repeats.' })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(DISTRICTS, { each: true })
  @ArrayUnique()
  districts: District[];
}

import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsObject, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ROOM_TYPES } from '@app/domain';
import type { IndoorStandardSnapshot, RoomType } from '@app/domain';

export class RefundTierDto {
  @ApiProperty({ example: 2, nullable: true, type: Number, description: 'Shortfalls up to this many °C below the standard; null: any larger one (the last tier).' })
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 1 })
  @Min(0.1)
  @Max(30)
  maxShortfall: number | null;

  @ApiProperty({ example: 10, minimum: 1, maximum: 100, description: 'Percent of the heating fee refunded per affected room and day.' })
  @IsInt()
  @Min(1)
  @Max(100)
  percent: number;
}

/** The terms of a new version of the indoor temperature standard (domain.md §3). */
export class IndoorStandardTermsDto {
  @ApiProperty({ example: 18, minimum: 10, maximum: 30, description: '°C; a judging reading below it fails.' })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 1 })
  @Min(10)
  @Max(30)
  celsius: number;

  @ApiProperty({ enum: ROOM_TYPES, isArray: true, example: ['BEDROOM', 'LIVING_ROOM'], description: 'The room types the standard applies to (卧室, 起居室).' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROOM_TYPES.length)
  @IsIn(ROOM_TYPES, { each: true })
  rooms: RoomType[];

  @ApiProperty({ type: [RefundTierDto], description: 'Refund tiers by shortfall, smallest first; the last has maxShortfall null.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => RefundTierDto)
  refundTiers: RefundTierDto[];
}

/** A version of the standard, as a ticket keeps it. */
export class IndoorStandardSnapshotDto extends IndoorStandardTermsDto {
  @ApiProperty({ example: 1, description: 'New tickets snapshot the newest version; tickets in flight keep theirs.' }) version: number;
}

export class IndoorStandardDto extends IndoorStandardSnapshotDto {
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'The admin who stored it; null for the first version (the migration).' }) createdBy: string | null;
}

export function mapIndoorStandard(standard: IndoorStandardSnapshot, createdAt: Date, createdBy: string | null): IndoorStandardDto {
  return { version: standard.version, celsius: standard.celsius, rooms: [...standard.rooms], refundTiers: standard.refundTiers.map((tier) => ({ ...tier })), createdAt: createdAt.toISOString(), createdBy };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { EVALUATION_LEVELS, PRIORITIES } from '@app/domain';
import { IsSlaDuration } from '@app/http';
import type { Evaluation, Priority } from '@app/domain';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class NoteDto {
  @ApiProperty({ example: '已电话联系王女士，约定今天下午上门', maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note: string;
}

export class ReadingInputDto {
  @ApiProperty({ example: '卧室', maxLength: 50 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  room: string;

  @ApiProperty({ example: 16.5, minimum: -30, maximum: 40 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 1 })
  @Min(-30)
  @Max(40)
  celsius: number;
}

export class VisitDto extends NoteDto {
  @ApiProperty({ type: [ReadingInputDto], description: 'Indoor readings; any below the standard (18.0 °C) means REMEDIATING.' })
  @ValidateNested({ each: true })
  @ArrayMaxSize(20)
  @Type(() => ReadingInputDto)
  readings: ReadingInputDto[];
}

export class ReplyDto {
  @ApiProperty({ example: '更换阀门后复测卧室19.5度，问题已解决', maxLength: 4000 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  resolution: string;
}

export class ReasonDto {
  @ApiProperty({ example: '地址不在本公司供热范围', maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

/** An optional note: `{}` or `{note}` (e.g. how the citizen was told). */
export class OptionalNoteDto {
  @ApiPropertyOptional({ example: '已电话告知王女士新的办结时间及延期原因', maxLength: 2000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class ReassignDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  companyId: string;
}

export class ExtensionRequestDto extends ReasonDto {
  @ApiProperty({ example: 'PT12H', description: 'ISO 8601 duration added to the current stage deadline once approved.' })
  @IsSlaDuration()
  extendBy: string;
}

/** The answers a callback that reached the citizen must carry; one that did not may leave them out. */
const whenReached = ValidateIf((body: { reached?: unknown }) => body.reached !== false);

export class CallbackDto {
  @ApiProperty({ description: 'Whether the citizen was reached. false: the attempt is recorded and the ticket stays REPLIED; the policy’s last attempt closes it as 未联系上.' })
  @IsBoolean()
  reached: boolean;

  @ApiPropertyOptional({ description: 'Whether the problem is solved (是否解决). Required when reached.' })
  @whenReached
  @IsBoolean()
  solved?: boolean;

  @ApiPropertyOptional({
    enum: EVALUATION_LEVELS,
    description: 'The national 好差评 scale (非常满意 … 非常不满意), read as SATISFIED / BASICALLY_SATISFIED / UNSATISFIED for the reports (domain.md §2.5). Required when reached.',
  })
  @whenReached
  @IsIn(EVALUATION_LEVELS)
  satisfaction?: Evaluation;

  @ApiPropertyOptional({ description: 'Whether the company contacted the citizen (是否联系, feeds 响应率). Required when reached.' })
  @whenReached
  @IsBoolean()
  contacted?: boolean;

  @ApiPropertyOptional({ description: 'UNSATISFIED through the unit’s fault reopens the ticket (重办); for objective reasons it goes to the review queue. Required when reached.' })
  @whenReached
  @IsBoolean()
  unitAtFault?: boolean;

  @ApiProperty({ maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  note: string;
}

/**
 * The body of an action that takes no input (签收, 批准延期): any field is refused with 400, so a client
 * that believes it sent something learns it was not taken.
 */
export class EmptyBodyDto {}

export class RaisePriorityDto extends ReasonDto {
  @ApiProperty({ enum: PRIORITIES, description: 'More urgent than the ticket’s priority now (P2 → P1 → P0).' })
  @IsIn(PRIORITIES)
  priority: Priority;
}

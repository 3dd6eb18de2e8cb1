import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsInt,
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
import { EVALUATION_LEVELS, PAUSE_REASONS, PRIORITIES, REFUND_EXCLUSIONS, ROOM_TYPES } from '@app/domain';
import { IsSlaDuration } from '@app/http';
import type { Evaluation, PauseReason, Priority, RefundExclusion, RoomType } from '@app/domain';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class NoteDto {
  @ApiProperty({ example: '已电话联系王女士，约定今天下午上门', maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note: string;
}

/** The measurement method (domain.md §3): the crew confirms each check; a reading without all four does not judge. */
export class MeasurementMethodDto {
  @ApiProperty({ description: '关闭门窗: all doors and windows closed' }) @IsBoolean() doorsAndWindowsClosed: boolean;
  @ApiProperty({ description: '房间中央: measured at the centre of the room' }) @IsBoolean() roomCentre: boolean;
  @ApiProperty({ description: '离地1米以上: about 1 m above the floor, people 1 m away' }) @IsBoolean() oneMetreHigh: boolean;
  @ApiProperty({ description: '读数稳定: read after about a minute, once stable' }) @IsBoolean() stableValue: boolean;
}

export class ReadingInputDto {
  @ApiProperty({ example: '主卧', maxLength: 50, description: 'The room as the crew names it (主卧, 次卧, 客厅…).' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  room: string;

  @ApiProperty({ enum: ROOM_TYPES, description: 'The standard applies to the room types it names (卧室 BEDROOM and 起居室 LIVING_ROOM by default).' })
  @IsIn(ROOM_TYPES)
  roomType: RoomType;

  @ApiProperty({ example: 16.5, minimum: -30, maximum: 40 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 1 })
  @Min(-30)
  @Max(40)
  celsius: number;

  @ApiProperty({ type: MeasurementMethodDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MeasurementMethodDto)
  method: MeasurementMethodDto;

  @ApiPropertyOptional({ example: '李师傅', maxLength: 50, description: 'Who measured; omitted: the crew member who records it.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  measuredBy?: string;
}

/** Lets a crew step record, in passing, that the citizen was told of the approved extension (domain.md §2.4). */
export class ExtensionNotifiedFlagDto {
  @ApiPropertyOptional({ description: 'true: the citizen was told the approved extension’s new date and reason with this step (the same as POST …/extension/notified).' })
  @IsOptional()
  @IsBoolean()
  extensionNotified?: boolean;
}

export class VisitDto extends IntersectionType(NoteDto, ExtensionNotifiedFlagDto) {
  @ApiProperty({
    type: [ReadingInputDto],
    description: 'Indoor readings; one that judges (a room the ticket’s standard names, measured by the method) below the standard means REMEDIATING. A temperature complaint needs at least one that judges.',
  })
  @IsArray()
  // Each one an object: `[[]]` passed ValidateNested (an inner array has nothing to validate) and broke the visit (500).
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @ArrayMaxSize(20)
  @Type(() => ReadingInputDto)
  readings: ReadingInputDto[];
}

export class ContactDto extends IntersectionType(NoteDto, ExtensionNotifiedFlagDto) {}

/** 暂停计时: why the stage cannot go on, with the evidence (the calls made). */
export class PauseRequestDto extends NoteDto {
  @ApiProperty({ enum: PAUSE_REASONS, description: 'RESIDENT_AWAY 住户不在家, ENTRY_REFUSED 住户拒绝入户' })
  @IsIn(PAUSE_REASONS)
  reason: PauseReason;

  @ApiProperty({ example: 3, minimum: 0, maximum: 50, description: 'Calls to the citizen tried before asking.' })
  @IsInt()
  @Min(0)
  @Max(50)
  callAttempts: number;
}

export class RefundExclusionDto extends NoteDto {
  @ApiProperty({
    enum: REFUND_EXCLUSIONS,
    description: 'Why no refund is due (domain.md §3): ALTERED_FACILITIES 擅自改动供热设施, COVERED_RADIATORS 遮挡散热器, DRAINED_WATER 放水或取用系统热水, OTHER_DEVICES 加装影响供热的设施',
  })
  @IsIn(REFUND_EXCLUSIONS)
  exclusion: RefundExclusion;
}

export class ReplyDto extends ExtensionNotifiedFlagDto {
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

/**
 * The answers a callback that reached the citizen must carry; one that did not may leave them out, but what
 * it does send is still checked (a stray `solved: "abc"` is a 400, not stored).
 */
const whenReached = ValidateIf((body: { reached?: unknown }, value: unknown) => body.reached !== false || value !== undefined);

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

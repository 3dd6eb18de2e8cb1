import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, registerDecorator } from 'class-validator';
import { CATEGORIES, CATEGORY_DEFAULTS, CHANNELS, DISTRICTS, isValidCitizenPhone, normalizePhone, PRIORITIES, priorityAllowed } from '@app/domain';
import type { Category, Channel, District, Priority } from '@app/domain';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** A citizen's phone, judged by isValidCitizenPhone (the create and the intake preview take the same). */
export function IsCitizenPhone(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCitizenPhone',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidCitizenPhone(value),
        defaultMessage: () =>
          'citizenPhone must be a mainland mobile number (13812345678) or a landline with area code (022-23456789)',
      },
    });
}

/** The priority against the category's default: raising is allowed, lowering refused (the rule: priorityAllowed). */
function IsAllowedForCategory(): PropertyDecorator {
  const categoryOf = (object: object): Category | undefined => {
    const category = (object as { category?: unknown }).category;
    return (CATEGORIES as readonly unknown[]).includes(category) ? (category as Category) : undefined;
  };
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAllowedForCategory',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        // An unknown category is reported on `category`; the priority is judged against a known one only.
        validate: (value: unknown, args) => {
          const category = args && categoryOf(args.object);
          return !category || priorityAllowed(category, value as Priority);
        },
        defaultMessage: (args) => {
          const category = args && categoryOf(args.object);
          const base = category ? CATEGORY_DEFAULTS[category].priority : undefined;
          return `priority ${String(args?.value)} is below the ${category} default ${base}: a priority may be raised (P0 is the most urgent), never lowered`;
        },
      },
    });
}

export class CreateTicketDto {
  @ApiProperty({ enum: CATEGORIES, example: 'NOT_WARM' })
  @IsIn(CATEGORIES)
  category: Category;

  @ApiPropertyOptional({
    enum: PRIORITIES,
    description: 'Raises the category default (e.g. NOT_WARM for an elderly person alone → P0); one below the default is 400.',
  })
  @IsOptional()
  @IsIn(PRIORITIES)
  @IsAllowedForCategory()
  priority?: Priority;

  @ApiProperty({ example: '王女士', maxLength: 100 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  citizenName: string;

  @ApiProperty({ example: '13812345678', description: 'Mainland mobile, or landline with area code.' })
  @Transform(({ value }) => (typeof value === 'string' ? normalizePhone(value) : value))
  @IsCitizenPhone()
  citizenPhone: string;

  @ApiProperty({ enum: DISTRICTS, example: 'NANKAI' })
  @IsIn(DISTRICTS)
  district: District;

  @ApiProperty({ example: '鞍山西道100号3门201', maxLength: 300 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  address: string;

  @ApiProperty({ example: '卧室温度只有15度', maxLength: 4000 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  description: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Dispatch to this company instead of routing by district.' })
  @IsOptional()
  @IsUUID()
  companyId?: string;

  @ApiPropertyOptional({ enum: CHANNELS, default: 'PHONE' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'Create a new ticket even when an open one matches (repeat-call override).' })
  @IsOptional()
  @IsBoolean()
  forceNew?: boolean;
}

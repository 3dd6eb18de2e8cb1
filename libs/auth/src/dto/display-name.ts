import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length } from 'class-validator';

export const MAX_DISPLAY_NAME_LENGTH = 100;

/** An optional display name: trimmed, 1-100 characters; null (or absent) for none. */
export function DisplayName(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsOptional(),
    IsString(),
    Length(1, MAX_DISPLAY_NAME_LENGTH, { message: `displayName must be 1-${MAX_DISPLAY_NAME_LENGTH} characters (send null for none)` }),
  );
}

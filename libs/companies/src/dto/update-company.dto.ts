import { ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';
import { CreateCompanyDto } from './create-company.dto';

/**
 * PATCH /companies/{id}: any of `name`, `districts` (validated as on create) and `active`; what is left out
 * stays. The code never changes (a field not listed is 400); null is refused like any other bad value.
 */
export class UpdateCompanyDto extends PartialType(PickType(CreateCompanyDto, ['name', 'districts'] as const), { skipNullProperties: false }) {
  @ApiPropertyOptional({
    description: 'false: no ticket is routed or dispatched to it any more; its open tickets stay there until reassigned (GET /tickets?companyActive=false&open=true).',
  })
  @ValidateIf((_dto: object, value: unknown) => value !== undefined)
  @IsBoolean()
  active?: boolean;
}

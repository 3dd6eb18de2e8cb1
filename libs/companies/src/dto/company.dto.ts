import { ApiProperty } from '@nestjs/swagger';
import { DISTRICTS } from '@app/domain';
import type { District } from '@app/domain';
import type { CompanyEntity } from '@app/persistence';

export class CompanyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'TJRL-NK' })
  code: string;

  @ApiProperty({ example: '天津热力南开分公司' })
  name: string;

  @ApiProperty({ enum: DISTRICTS, isArray: true })
  districts: District[];

  @ApiProperty({ description: 'Only active companies receive routed tickets.' })
  active: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function mapCompany(company: CompanyEntity): CompanyDto {
  return {
    id: company.id,
    code: company.code,
    name: company.name,
    districts: company.districts,
    active: company.active,
    createdAt: company.createdAt.toISOString(),
  };
}

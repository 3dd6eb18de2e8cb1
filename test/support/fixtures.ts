import { DataSource } from 'typeorm';
import type { District, SlaPolicyTerms } from '@app/domain';
import { CompanyEntity, SlaPolicyEntity } from '@app/persistence';

let companySequence = 0;

export async function insertCompany(
  dataSource: DataSource,
  districts: District[],
  overrides: Partial<CompanyEntity> = {},
): Promise<CompanyEntity> {
  companySequence += 1;
  return dataSource.getRepository(CompanyEntity).save({
    code: `C${Date.now().toString(36)}${companySequence}`,
    name: `测试供热公司${companySequence}`,
    districts,
    active: true,
    ...overrides,
  });
}

/** Stores a new version of a priority's policy, as PUT /sla-policies will. */
export async function insertPolicyVersion(dataSource: DataSource, priority: 'P0' | 'P1' | 'P2', terms: SlaPolicyTerms): Promise<number> {
  const repository = dataSource.getRepository(SlaPolicyEntity);
  const [latest] = await repository.find({ where: { priority }, order: { version: 'DESC' }, take: 1 });
  const version = (latest?.version ?? 0) + 1;
  await repository.insert({ priority, version, ...terms });
  return version;
}

/** Seconds-long limits, so a whole ladder fires during a test. */
export const SECONDS_POLICY: SlaPolicyTerms = {
  accept: 'PT2S',
  contact: 'PT3S',
  visit: 'PT4S',
  reply: 'PT5S',
  remediate: 'PT3S',
  warningAfter: 'PT1S',
  noticeAfter: 'PT2S',
  calendar: '24x7',
};

let callerSequence = 0;

/**
 * A valid create body. Each call is a different caller (phone), so repeat-call detection joins only the
 * tickets a test means to join: pass the same `citizenPhone` for those.
 */
export function ticketBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  callerSequence += 1;
  return {
    category: 'NOT_WARM',
    citizenName: '王女士',
    citizenPhone: `138${String(process.pid % 10_000).padStart(4, '0')}${String(callerSequence % 10_000).padStart(4, '0')}`,
    district: 'NANKAI',
    address: '南开区鞍山西道100号3门201',
    description: '卧室温度只有15度',
    ...overrides,
  };
}

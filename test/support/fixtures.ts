import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CATEGORY_DEFAULTS, DEFAULT_INDOOR_STANDARD, DEFAULT_SLA_POLICIES, EMPTY_CALENDAR } from '@app/domain';
import type { Category, District, SlaPolicyTerms, WorkCalendar } from '@app/domain';
import { CompanyEntity, SlaPolicyEntity, TicketEntity } from '@app/persistence';
import { freshStages } from '@app/tickets';

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
  returnWindow: 'PT1H',
  extensionCap: 'PT24H',
  designatedFromDispatch: 3,
  callbackWithin: 'P1D',
  callbackAttempts: 3,
  pauseCap: 'PT48H',
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

let ticketSequence = 0;

/**
 * A dispatched ticket's row as the API stores it (every stage's deadline and rungs fixed from
 * `dispatchedAt` with the category's default policy), for tests that drive its workflow or activities.
 */
export async function insertDispatchedTicket(
  dataSource: DataSource,
  options: { companyId: string; dispatchedAt: Date; category?: Category; district?: District; calendar?: WorkCalendar },
): Promise<TicketEntity> {
  ticketSequence += 1;
  const category = options.category ?? 'NOT_WARM';
  const priority = CATEGORY_DEFAULTS[category].priority;
  const policy = { priority, version: 1, ...DEFAULT_SLA_POLICIES[priority] };
  const repository = dataSource.getRepository(TicketEntity);
  const ticket = repository.create({
    id: randomUUID(),
    number: `8890-19990101-${String(ticketSequence).padStart(6, '0')}`, // a day the API never numbers
    status: 'RECEIVED',
    category,
    priority,
    channel: 'PHONE',
    district: options.district ?? 'NANKAI',
    address: `南开区鞍山西道${ticketSequence}号`,
    addressKey: `南开区鞍山西道${ticketSequence}号`,
    citizenName: '王女士',
    citizenPhone: '13812345678',
    description: '卧室温度只有15度',
    companyId: options.companyId,
    dispatchedAt: options.dispatchedAt,
    policyVersion: 1,
    policy,
    indoorStandard: { version: 1, ...DEFAULT_INDOOR_STANDARD },
    stages: freshStages({ policy, category }, options.dispatchedAt, options.calendar ?? EMPTY_CALENDAR),
  });
  await repository.insert(ticket);
  return repository.findOneByOrFail({ id: ticket.id });
}

/** A reading as a crew records it by the method (domain.md §3): every check confirmed. */
export function measured(room: string, celsius: number, roomType: 'BEDROOM' | 'LIVING_ROOM' | 'KITCHEN' | 'BATHROOM' | 'OTHER' = 'BEDROOM') {
  return { room, roomType, celsius, method: { doorsAndWindowsClosed: true, roomCentre: true, oneMetreHigh: true, stableValue: true } };
}

import bcrypt from 'bcryptjs';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  addDuration,
  addressKey,
  addressPlace,
  CATEGORY_DEFAULTS,
  dispatchDeadlines,
  DISTRICT_NAMES_ZH,
  DISTRICTS,
  EMPTY_CALENDAR,
  formatTicketNumber,
  isDesignatedDispatch,
  laterStagesToHold,
  localDate,
  parseDurationMs,
  returnAllowedUntil,
  rungInstants,
} from '@app/domain';
import type { IndoorStandardSnapshot, PauseState, Reading, SlaPolicySnapshot, StageDeadline, StoredReading } from '@app/domain';
import type { StageState, TicketStages } from '@app/persistence';

/** Sample heating companies: four, covering the 16 districts between them. */
export const DEMO_COMPANIES = [
  { code: 'TJRL-CITY', name: '天津热力市区供热公司（演示）', districts: ['HEPING', 'HEDONG', 'HEXI', 'NANKAI', 'HEBEI', 'HONGQIAO'] },
  { code: 'TJRL-SUBURB', name: '天津环城供热公司（演示）', districts: ['DONGLI', 'XIQING', 'JINNAN', 'BEICHEN'] },
  { code: 'TJRL-OUTER', name: '天津远郊供热公司（演示）', districts: ['WUQING', 'BAODI', 'NINGHE', 'JINGHAI', 'JIZHOU'] },
  { code: 'TJRL-BINHAI', name: '滨海新区供热公司（演示）', districts: ['BINHAI'] },
] as const;

export interface DemoUser {
  readonly username: string;
  readonly role: string;
  readonly password: string;
  readonly company?: string;
}

/**
 * The refund-eligible ticket of the demo (可退费, domain.md §3): a 室温不达标 at the city company whose visit two
 * days ago measured 主卧 15.5 °C and 客厅 13 °C and which nobody fixed within the 24 h remediation limit. The
 * rule needs a day to pass, so seedDemoData writes it as the rows a real ticket would have left (see
 * insertRefundTicket); its workflow is started by the worker's start sweeper.
 */
export const DEMO_REFUND = {
  district: 'HEXI',
  address: '河西区友谊路35号1门601',
  company: 'TJRL-CITY',
  citizenPhone: '13900000100',
  /** How long before the seeding it was dispatched; accepted, contacted and visited (the failed readings) soon after. */
  dispatchedHoursAgo: 50,
} as const;

export interface DemoData {
  readonly seeded: boolean;
  readonly users: DemoUser[];
  /** The id of the refund-eligible ticket (DEMO_REFUND), when this call seeded. */
  readonly refundTicket?: string;
}

/**
 * Seeds the demo companies and one user per role (`demo-operator`, `demo-crew` of the city company,
 * `demo-supervisor`, `demo-admin`) with random passwords, returned once for printing, and the refund-eligible
 * ticket (DEMO_REFUND). Runs only on a database that has no demo data yet; otherwise seeds nothing and
 * returns no users.
 */
export async function seedDemoData(databaseUrl: string, bcryptRounds = 12): Promise<DemoData> {
  const covered = new Set(DEMO_COMPANIES.flatMap((company) => company.districts));
  const missing = DISTRICTS.filter((district) => !covered.has(district));
  if (missing.length > 0) throw new Error(`demo companies miss ${missing.map((d) => DISTRICT_NAMES_ZH[d]).join(', ')}`);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query('SELECT 1 FROM companies WHERE code = $1', [DEMO_COMPANIES[0].code]);
    if (rowCount) {
      await client.query('ROLLBACK');
      return { seeded: false, users: [] };
    }
    const ids = new Map<string, string>();
    for (const company of DEMO_COMPANIES) {
      const { rows } = await client.query('INSERT INTO companies (code, name, districts) VALUES ($1, $2, $3) RETURNING id', [
        company.code,
        company.name,
        company.districts,
      ]);
      ids.set(company.code, rows[0].id as string);
    }
    const users: DemoUser[] = [
      { username: 'demo-operator', role: 'operator', password: randomBytes(9).toString('base64url') },
      { username: 'demo-crew', role: 'crew', password: randomBytes(9).toString('base64url'), company: 'TJRL-CITY' },
      { username: 'demo-supervisor', role: 'supervisor', password: randomBytes(9).toString('base64url') },
      { username: 'demo-admin', role: 'admin', password: randomBytes(9).toString('base64url') },
    ];
    for (const user of users) {
      await client.query(
        `INSERT INTO users (username, password_hash, role, company_id) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING`,
        [user.username, await bcrypt.hash(user.password, bcryptRounds), user.role, user.company ? ids.get(user.company) : null],
      );
    }
    const refundTicket = await insertRefundTicket(client, ids.get(DEMO_REFUND.company)!, new Date());
    await client.query('COMMIT');
    return { seeded: true, users, refundTicket };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * The refund-eligible ticket (DEMO_REFUND), written with SQL in seedDemoData's transaction as the rows its
 * calls would have left: the newest P1 policy and indoor standard snapshotted as a ticket created then
 * snapshots them (the shapes of toPolicySnapshot and toIndoorStandardSnapshot), the next number of its
 * dispatch day from the API's counter, its stages computed by the domain's rules (the reply held to the
 * remediation deadline, as the failed reading held it), its first dispatch and its audit events. Its rungs
 * are not fired here: `workflow_started_at` is null, so the worker's start sweeper starts its workflow from
 * the row, and the workflow fires the rungs already due (the company's OVERDUE and WARNING) and marks them.
 * The P1 policy is 24x7, so no working-day calendar is involved (EMPTY_CALENDAR).
 */
async function insertRefundTicket(client: Client, companyId: string, now: Date): Promise<string> {
  const category = 'NOT_WARM';
  const { priority, visitNeeded } = CATEGORY_DEFAULTS[category];
  const { rows: policies } = await client.query<SlaPolicySnapshot>(
    `SELECT priority, version, accept, contact, visit, reply, remediate, warning_after AS "warningAfter", notice_after AS "noticeAfter", calendar,
            return_window AS "returnWindow", extension_cap AS "extensionCap", designated_from_dispatch AS "designatedFromDispatch",
            callback_within AS "callbackWithin", callback_attempts AS "callbackAttempts", pause_cap AS "pauseCap"
       FROM sla_policies WHERE priority = $1 ORDER BY version DESC LIMIT 1`,
    [priority],
  );
  const { rows: standards } = await client.query<IndoorStandardSnapshot>(
    `SELECT version, celsius::float8 AS celsius, rooms, refund_tiers AS "refundTiers" FROM indoor_standards ORDER BY version DESC LIMIT 1`,
  );
  const [policy] = policies;
  const [standard] = standards;
  if (!policy?.remediate || !standard) throw new Error(`demo seeding: no ${priority} policy with a remediation limit, or no indoor standard`);
  const calendar = EMPTY_CALENDAR;

  const dispatchedAt = new Date(now.getTime() - DEMO_REFUND.dispatchedHoursAgo * HOUR_MS);
  const acceptedAt = new Date(dispatchedAt.getTime() + 10 * MINUTE_MS);
  const contactedAt = new Date(dispatchedAt.getTime() + 40 * MINUTE_MS);
  const visitedAt = new Date(dispatchedAt.getTime() + 3 * HOUR_MS);
  const stageOf = (deadline: StageDeadline, doneAt: Date | null): StageState => ({
    startsAt: deadline.startsAt.toISOString(),
    dueAt: deadline.dueAt.toISOString(),
    doneAt: doneAt ? doneAt.toISOString() : null,
    overdue: false,
    rungs: rungInstants(deadline, policy, calendar),
  });
  const doneAt: Partial<Record<string, Date>> = { accept: acceptedAt, contact: contactedAt, visit: visitedAt };
  const stages: TicketStages = {};
  for (const deadline of dispatchDeadlines(dispatchedAt, policy, visitNeeded, calendar)) stages[deadline.stage] = stageOf(deadline, doneAt[deadline.stage] ?? null);
  // The failed reading opens the remediation (整改复测), due the policy's limit later; the reply waits on it.
  const remediateDue = addDuration(visitedAt, parseDurationMs(policy.remediate), policy.calendar, calendar);
  stages.remediate = stageOf({ stage: 'remediate', startsAt: visitedAt, dueAt: remediateDue }, null);
  const held = laterStagesToHold(stages, 'remediate', remediateDue);
  for (const move of held) {
    const state = stages[move.stage]!;
    const moved = stageOf({ stage: move.stage, startsAt: new Date(state.startsAt), dueAt: new Date(move.to) }, null);
    stages[move.stage] = { ...state, dueAt: moved.dueAt, rungs: moved.rungs };
  }

  const method = { doorsAndWindowsClosed: true, roomCentre: true, oneMetreHigh: true, stableValue: true };
  const measured: Reading[] = [
    { room: '主卧', roomType: 'BEDROOM', celsius: 15.5, method, measuredBy: 'demo-crew' },
    { room: '客厅', roomType: 'LIVING_ROOM', celsius: 13, method, measuredBy: 'demo-crew' },
  ];
  const readings: StoredReading[] = measured.map((reading) => ({ ...reading, at: visitedAt.toISOString() }));

  const day = localDate(dispatchedAt);
  const { rows: counters } = await client.query<{ last_value: number }>(
    `INSERT INTO ticket_number_counters (day, last_value) VALUES ($1, 1)
     ON CONFLICT (day) DO UPDATE SET last_value = ticket_number_counters.last_value + 1
     RETURNING last_value`,
    [day],
  );
  const id = randomUUID();
  const place = addressPlace(DEMO_REFUND.district, DEMO_REFUND.address);
  // pg sends a JS array as a Postgres array: every jsonb value goes as its JSON text.
  await client.query(
    `INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, community_key, building_key,
                          citizen_name, citizen_phone, description, company_id, dispatched_at, dispatch_count, policy_version, policy, stages,
                          return_allowed_until, designated, readings, indoor_standard, transition_seq, created_by, workflow_started_at,
                          created_at, updated_at)
     VALUES ($1, $2, 'REMEDIATING', $3, $4, 'PHONE', $5, $6, $7, $8, $9, '演示住户', $10, $11, $12, $13, 1, $14, $15, $16,
             $17, $18, $19, $20, 3, 'demo-operator', NULL, $13, $21)`,
    [
      id,
      formatTicketNumber(day, counters[0].last_value),
      category,
      priority,
      DEMO_REFUND.district,
      DEMO_REFUND.address,
      addressKey(DEMO_REFUND.address),
      place.communityKey,
      place.buildingKey,
      DEMO_REFUND.citizenPhone,
      '暖气不热，卧室和客厅都很冷（演示）',
      companyId,
      dispatchedAt,
      policy.version,
      JSON.stringify(policy),
      JSON.stringify(stages),
      returnAllowedUntil(dispatchedAt, policy, calendar),
      isDesignatedDispatch(1, policy),
      JSON.stringify(readings),
      JSON.stringify(standard),
      visitedAt,
    ],
  );
  await client.query(
    `INSERT INTO ticket_dispatches (ticket_id, seq, company_id, dispatched_at, cause, stages, temperature_tests, temperature_passed)
     VALUES ($1, 1, $2, $3, 'CREATED', $4, 1, 0)`,
    [id, companyId, dispatchedAt, JSON.stringify(stages)],
  );
  const events: Array<[string, string, string, Record<string, unknown>, Date]> = [
    ['CREATED', 'demo-operator', 'operator', { companyId, priority, policyVersion: policy.version, dispatchedAt: dispatchedAt.toISOString() }, dispatchedAt],
    ['ACCEPT', 'demo-crew', 'crew', { from: 'RECEIVED', to: 'ACCEPTED' }, acceptedAt],
    ['CONTACT', 'demo-crew', 'crew', { note: '已电话联系住户，约定上门测温（演示）', from: 'ACCEPTED', to: 'CONTACTED' }, contactedAt],
    [
      'VISIT',
      'demo-crew',
      'crew',
      { note: '上门测温：主卧15.5℃、客厅13℃，未达标，安排整改（演示）', readings: measured, from: 'CONTACTED', to: 'REMEDIATING', ...(held.length > 0 ? { held } : {}) },
      visitedAt,
    ],
  ];
  for (const [type, actor, role, payload, at] of events) {
    await client.query('INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      type,
      actor,
      role,
      JSON.stringify(payload),
      at,
    ]);
  }
  return id;
}

/** The hot spot of the demo: tickets from one building (楼栋) within an hour, enough for a suspected outage (片区停热). */
export const DEMO_HOTSPOT = {
  district: 'NANKAI',
  addresses: ['南开区鞍山西道88号3门201', '南开区鞍山西道88号3门302', '南开区鞍山西道88号3门401', '南开区鞍山西道88号3门502'],
} as const;

/** The designated ticket of the demo (指定承办): created at the city company, reassigned away and back. */
export const DEMO_DESIGNATED = {
  district: 'HEPING',
  address: '和平区南京路120号1门301',
  reassignedTo: ['TJRL-SUBURB', 'TJRL-CITY'],
} as const;

/** The paused ticket of the demo (暂停计时): accepted by the city company's crew, whose pause a supervisor approved. */
export const DEMO_PAUSED = {
  district: 'HEPING',
  address: '和平区南京路88号2门502',
  pause: { reason: 'RESIDENT_AWAY', note: '住户出差，电话告知后天回津（演示）', callAttempts: 3 },
} as const;

export interface DemoTickets {
  readonly hotspot: readonly string[];
  readonly designated: string;
  /** Accepted, its contact stage's clock stopped by an approved pause (ACTIVE). */
  readonly paused: string;
  /** The refund-eligible ticket seedDemoData wrote (DEMO_REFUND), found through the API. */
  readonly refund: string;
}

/**
 * Seeds the demo's tickets through the HTTP API of the running stack, as the demo users (the audit trail,
 * the dispatch records and the workflows are the ones real calls make): the hot spot's tickets, then the
 * designated ticket, reassigned twice (three dispatches), then the paused ticket (accepted and paused by
 * `demo-crew`, the pause approved by `demo-supervisor`); and finds the refund-eligible ticket seedDemoData
 * wrote. Waits until the API answers /health with 200 (the worker connected: actions go through the
 * workflow). Called once, right after seedDemoData seeded.
 */
export async function seedDemoTickets(apiUrl: string, users: readonly DemoUser[], timeoutMs = 120_000): Promise<DemoTickets> {
  await waitForHealthy(apiUrl, timeoutMs);
  const call = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`demo seeding: ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const signIn = async (username: string): Promise<string> => {
    const user = users.find((candidate) => candidate.username === username);
    if (!user) throw new Error(`no demo user ${username} to seed tickets with`);
    return (await call<{ accessToken: string }>('POST', '/auth/login', { username: user.username, password: user.password })).accessToken;
  };
  // An action goes through the ticket's workflow (200 with the ticket). A 503 while the worker still connects:
  // the Update did not run; asked again a few times.
  const act = async (token: string, id: string, action: string, body: unknown = {}): Promise<{ status: string; pause: PauseState | null }> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call('POST', `/tickets/${id}/${action}`, body, token);
      } catch (error) {
        if (attempt >= 10 || !/answered 503/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };
  const accessToken = await signIn('demo-operator');
  let caller = 0;
  const create = async (district: string, address: string, description: string): Promise<string> => {
    caller += 1;
    const body = { category: 'NOT_WARM', citizenName: '演示住户', citizenPhone: `1390000${String(caller).padStart(4, '0')}`, district, address, description };
    return (await call<{ id: string }>('POST', '/tickets', body, accessToken)).id;
  };
  const hotspot: string[] = [];
  for (const address of DEMO_HOTSPOT.addresses) hotspot.push(await create(DEMO_HOTSPOT.district, address, '整栋楼暖气不热（演示）'));
  const designated = await create(DEMO_DESIGNATED.district, DEMO_DESIGNATED.address, '卧室温度只有15度（演示）');
  const companies = await call<Array<{ id: string; code: string }>>('GET', '/companies', undefined, accessToken);
  for (const code of DEMO_DESIGNATED.reassignedTo) {
    const company = companies.find((candidate) => candidate.code === code);
    if (!company) throw new Error(`demo seeding: no company ${code}`);
    await act(accessToken, designated, 'reassign', { companyId: company.id });
  }

  const paused = await create(DEMO_PAUSED.district, DEMO_PAUSED.address, '暖气不热，住户近日出差（演示）');
  const crew = await signIn('demo-crew');
  await act(crew, paused, 'accept');
  await act(crew, paused, 'pause', DEMO_PAUSED.pause);
  const approved = await act(await signIn('demo-supervisor'), paused, 'pause/approve');
  if (approved.pause?.status !== 'ACTIVE') throw new Error(`demo seeding: the pause of ${paused} is ${approved.pause?.status ?? 'missing'}, not ACTIVE`);

  const remediating = await call<{ items: Array<{ id: string; address: string }> }>(
    'GET',
    `/tickets?district=${DEMO_REFUND.district}&status=REMEDIATING`,
    undefined,
    accessToken,
  );
  const refund = remediating.items.find((ticket) => ticket.address === DEMO_REFUND.address);
  if (!refund) throw new Error(`demo seeding: the refund-eligible ticket at ${DEMO_REFUND.address} is missing`);
  return { hotspot, designated, paused, refund: refund.id };
}

async function waitForHealthy(apiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${apiUrl}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`demo seeding: ${apiUrl}/health did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

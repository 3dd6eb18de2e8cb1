import { randomUUID } from 'node:crypto';
import { bearer, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, measured, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { HttpMethod, minimalBody, minimalValue, OpenApiDocument, OpenApiParameter, Operation, readOperations } from '../support/openapi-operations';
import { eventually, startTestSystem, TestSystem } from '../support/system';

/** The test citizen: written nowhere else, so any trace of them in an answer is theirs. */
const CITIZEN = { citizenName: '测试居民甲乙', citizenPhone: '13907654321', district: 'HEXI', address: '河西区友谊路9876号5门101' } as const;

/** What no public answer and no export may carry: the name, the full phone however written, the exact address. */
const PERSONAL_DATA: ReadonlyArray<{ readonly what: string; readonly pattern: RegExp }> = [
  { what: `the citizen's name (${CITIZEN.citizenName})`, pattern: new RegExp(CITIZEN.citizenName) },
  // 13907654321, 139-0765-4321, 139 0765 4321, +86 139…: a masked 139****4321 does not match.
  { what: `the citizen's full phone (${CITIZEN.citizenPhone})`, pattern: new RegExp(CITIZEN.citizenPhone.split('').join('[\\s.\\-]?')) },
  { what: `the exact address (${CITIZEN.address})`, pattern: /9876号\s*5门\s*101/ },
];

const DAY_MS = 24 * 60 * 60 * 1000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Which record of company B fills an id path parameter: by the parameter's name, or for `{id}` by the collection before it. */
const ID_PARAMETER_RESOURCES: Record<string, string> = { ticketId: 'tickets', companyId: 'companies', userId: 'users' };

function isIdParameter(parameter: OpenApiParameter): boolean {
  return parameter.in === 'path' && (parameter.name === 'id' || /Id$/.test(parameter.name));
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly body: unknown;
  readonly contentType: string;
}

interface BTicket {
  readonly label: string;
  readonly id: string;
  readonly number: string;
  /** Its rungs still fire while the test runs (escalation level, stages, system events change). */
  readonly busy: boolean;
}

interface Target {
  readonly label: string;
  readonly path: string;
  /** The ids the request itself names: a 404 may repeat them. */
  readonly named: readonly string[];
}

/**
 * Crews belong to one heating company: another company's records do not exist for them. Checked on every
 * operation of the OpenAPI document that takes an id or a companyId (so a new endpoint cannot skip it),
 * with company B's records as A's crew: 404 (or 403), nothing changed, nothing of B's shown. And what
 * leaves the system without a login or as a file (the public endpoints, every CSV export) carries no
 * name, phone or exact address of the citizen.
 */
describe('crew isolation, and no personal data in public answers or exports', () => {
  let system: TestSystem;
  let document: OpenApiDocument;
  let operations: Operation[];
  let companyA: { id: string; name: string };
  let companyB: { id: string; name: string };
  let crewA: SignedIn;
  let crewB: SignedIn;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let ticketA: { id: string; number: string };
  let bTickets: BTicket[];
  const startedAt = new Date();

  async function call(options: {
    method: HttpMethod;
    path: string;
    token?: string;
    query?: Record<string, string>;
    body?: unknown;
    accept?: string;
    idempotencyKey?: string;
  }): Promise<Answer> {
    let pending = system.http()[options.method](options.path);
    if (options.token) pending = pending.set(bearer(options.token));
    if (options.accept) pending = pending.set('Accept', options.accept);
    if (options.idempotencyKey) pending = pending.set('Idempotency-Key', options.idempotencyKey);
    if (options.query) pending = pending.query(options.query);
    const response = await (options.body === undefined ? pending : pending.send(options.body as object));
    return {
      status: response.status,
      text: response.text || JSON.stringify(response.body ?? ''),
      body: response.body,
      contentType: String(response.headers['content-type'] ?? ''),
    };
  }

  const brief = (answer: Answer): string => answer.text.replace(/\s+/g, ' ').slice(0, 300);

  /** The personal data of the test citizen found in `text`. */
  function personalDataIn(text: string): string[] {
    return PERSONAL_DATA.filter(({ pattern }) => pattern.test(text)).map(({ what }) => what);
  }

  /** Anything of company B in `text`: its tickets' ids and numbers, its id and name, its crew, its citizen. */
  function recordsOfBIn(text: string, named: readonly string[] = []): string[] {
    const found = bTickets.flatMap((ticket) => [
      ...(text.includes(ticket.id) && !named.includes(ticket.id) ? [`the id of ${ticket.label}`] : []),
      ...(text.includes(ticket.number) ? [`the number of ${ticket.label} (${ticket.number})`] : []),
    ]);
    if (text.includes(companyB.id) && !named.includes(companyB.id)) found.push(`B's company id`);
    if (text.includes(companyB.name)) found.push(`B's company name (${companyB.name})`);
    if (text.includes(crewB.user.username)) found.push(`B's crew user (${crewB.user.username})`);
    return [...found, ...personalDataIn(text)];
  }

  /** A required query parameter's value, from its schema; `companyId` is always company B's. */
  function queryFor(operation: Operation, extra: Record<string, string> = {}): Record<string, string> {
    const query: Record<string, string> = {};
    for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'query')) {
      if (parameter.name === 'companyId') query.companyId = companyB.id;
      else if (parameter.required) query[parameter.name] = String(minimalValue(document, parameter.schema ?? {}));
    }
    return { ...query, ...extra };
  }

  /**
   * from/to over everything the test created, when the operation takes them: whole days around it (the
   * refunds report lists the local days from that of `from` up to, not including, that of `to`).
   */
  const RANGE = { from: new Date(startedAt.getTime() - DAY_MS).toISOString(), to: new Date(startedAt.getTime() + 2 * DAY_MS).toISOString() };
  function rangeFor(operation: Operation): Record<string, string> {
    const names = operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    return names.includes('from') && names.includes('to') ? RANGE : {};
  }

  /** B's records that can fill the id path parameter, or why none can (then the operation is not handled). */
  function recordsFor(operation: Operation, parameter: OpenApiParameter): Array<{ label: string; id: string }> | string {
    const segments = operation.path.split('/');
    const resource = parameter.name === 'id' ? segments[segments.indexOf('{id}') - 1] : ID_PARAMETER_RESOURCES[parameter.name];
    switch (resource) {
      case 'tickets':
        return bTickets.map((ticket) => ({ label: ticket.label, id: ticket.id }));
      case 'companies':
        return [{ label: "B's company", id: companyB.id }];
      case 'users':
        return [{ label: "B's crew user", id: crewB.user.id }];
      default:
        return `its path parameter {${parameter.name}} names a record of "${resource ?? parameter.name}", which this test does not know how to take from company B: add it to recordsFor in test/e2e/crew-isolation.e2e-spec.ts`;
    }
  }

  /** The paths of the operation filled with B's records (every combination), and one with ids that name nothing. */
  function targetsFor(operation: Operation): { targets: Target[]; nothing?: string } | string {
    let targets: Target[] = [{ label: '', path: operation.path, named: [] }];
    let nothing = operation.path;
    for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path')) {
      const placeholder = `{${parameter.name}}`;
      if (isIdParameter(parameter)) {
        const records = recordsFor(operation, parameter);
        if (typeof records === 'string') return records;
        targets = targets.flatMap((target) =>
          records.map((record) => ({
            label: [target.label, record.label].filter(Boolean).join(', '),
            path: target.path.replace(placeholder, record.id),
            named: [...target.named, record.id],
          })),
        );
        nothing = nothing.replace(placeholder, randomUUID());
      } else {
        const value = parameter.schema?.enum?.[0] ?? parameter.schema?.example;
        if (value === undefined) return `its path parameter {${parameter.name}} is no id and its schema gives no value to try: fill it in targetsFor`;
        targets = targets.map((target) => ({ ...target, path: target.path.replace(placeholder, String(value)) }));
        nothing = nothing.replace(placeholder, String(value));
      }
    }
    const takesId = operation.parameters.some(isIdParameter);
    return { targets: targets.map((target) => ({ ...target, label: target.label || 'company B' })), nothing: takesId ? nothing : undefined };
  }

  /**
   * Company B's records as the database holds them: its tickets (of the busy ones, what an action would
   * change, not what their rungs change), their events (system ones only for the quiet tickets), dispatches,
   * idempotency keys, the company and its users.
   */
  async function snapshotOfB(): Promise<string> {
    const all = bTickets.map((ticket) => ticket.id);
    const busy = bTickets.filter((ticket) => ticket.busy).map((ticket) => ticket.id);
    const [row] = (await system.dataSource.query(
      `SELECT json_build_object(
         'tickets', (SELECT json_agg(CASE WHEN t.id = ANY($3::uuid[]) THEN row_to_json(t)::jsonb - 'updated_at' - 'escalation_level' - 'stages' ELSE row_to_json(t)::jsonb END ORDER BY t.id)
                       FROM tickets t WHERE t.company_id = $1 OR t.id = ANY($2::uuid[])),
         'events', (SELECT json_agg(json_build_object('id', e.id, 'type', e.type) ORDER BY e.id)
                      FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                     WHERE (t.company_id = $1 OR t.id = ANY($2::uuid[])) AND (e.actor <> 'system' OR NOT t.id = ANY($3::uuid[]))),
         'dispatches', (SELECT json_agg(CASE WHEN d.ticket_id = ANY($3::uuid[]) THEN to_jsonb(d.id) ELSE row_to_json(d)::jsonb END ORDER BY d.id)
                          FROM ticket_dispatches d JOIN tickets t ON t.id = d.ticket_id WHERE t.company_id = $1 OR t.id = ANY($2::uuid[])),
         'idempotencyKeys', (SELECT count(*) FROM idempotency_keys k WHERE k.ticket_id = ANY($2::uuid[])),
         'company', (SELECT row_to_json(c) FROM companies c WHERE c.id = $1),
         'users', (SELECT json_agg(row_to_json(u) ORDER BY u.id) FROM users u WHERE u.company_id = $1)
       )::text AS snapshot`,
      [companyB.id, all, busy],
    )) as Array<{ snapshot: string }>;
    return row.snapshot;
  }

  function changedParts(before: string, after: string): string {
    const [was, is] = [JSON.parse(before) as Record<string, unknown>, JSON.parse(after) as Record<string, unknown>];
    return Object.keys(was)
      .filter((part) => JSON.stringify(was[part]) !== JSON.stringify(is[part]))
      .join(', ');
  }

  beforeAll(async () => {
    system = await startTestSystem();
    ({ document, operations } = await readOperations(system));
    companyA = await insertCompany(system.dataSource, ['NANKAI'], { name: '甲方供热公司' });
    companyB = await insertCompany(system.dataSource, ['HEXI'], { name: '乙方供热公司' });
    crewA = await loginAs(system, 'crew', companyA.id);
    crewB = await loginAs(system, 'crew', companyB.id);
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    admin = await loginAs(system, 'admin');
    // P0 tickets get a seconds-long ladder (their rungs fire, up to the public notice); P1 keeps its default (quiet).
    await insertPolicyVersion(system.dataSource, 'P0', SECONDS_POLICY);

    const createAtB = async (overrides: Record<string, unknown>): Promise<{ id: string; number: string; status: string }> =>
      (await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ ...CITIZEN, companyId: companyB.id, forceNew: true, ...overrides })).expect(201)).body;
    const asCrewB = async (ticketId: string, action: string, body: object = {}): Promise<{ status: string }> =>
      (await system.http().post(`/tickets/${ticketId}/${action}`).set(bearer(crewB.token)).send(body).expect(200)).body;

    ticketA = (await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ district: 'NANKAI', companyId: companyA.id })).expect(201)).body;
    const received = await createAtB({ category: 'NOT_WARM' });
    const contacted = await createAtB({ category: 'FACILITY' });
    await asCrewB(contacted.id, 'accept');
    expect((await asCrewB(contacted.id, 'contact', { note: '已电话联系' })).status).toBe('CONTACTED');
    const escalated = await createAtB({ category: 'LEAK' });
    const remediating = await createAtB({ category: 'NOT_WARM', priority: 'P0' });
    await asCrewB(remediating.id, 'accept');
    await asCrewB(remediating.id, 'contact', { note: '已电话联系' });
    expect((await asCrewB(remediating.id, 'visit', { note: '卧室15度', readings: [measured('主卧', 15)] })).status).toBe('REMEDIATING');
    bTickets = [
      { label: "B's RECEIVED ticket", ...received, busy: false },
      { label: "B's CONTACTED ticket", ...contacted, busy: false },
      { label: "B's escalated (overdue, publicly noticed) ticket", ...escalated, busy: true },
      { label: "B's REMEDIATING ticket (owed a refund)", ...remediating, busy: true },
    ];

    // Wait on the states the checks need: the quiet ticket's workflow started, the rungs up to the public
    // notice fired, the ticket overdue, the refund owed.
    await eventually(
      async () => ((await system.dataSource.query(`SELECT 1 FROM tickets WHERE id = $1 AND workflow_started_at IS NOT NULL`, [received.id])).length ? true : undefined),
      30_000,
      "the RECEIVED ticket's workflow started",
    );
    await eventually(
      async () => ((await system.dataSource.query(`SELECT 1 FROM notices n JOIN escalations e ON e.id = n.escalation_id WHERE e.ticket_id = $1`, [escalated.id])).length ? true : undefined),
      60_000,
      "the escalated ticket's public notice",
    );
    await eventually(
      async () => {
        const rows = (await system.http().get('/reports/overdue').query({ companyId: companyB.id }).set(bearer(supervisor.token)).expect(200)).body as Array<{ ticketId: string }>;
        return rows.some((row) => row.ticketId === escalated.id) ? true : undefined;
      },
      30_000,
      'the escalated ticket in the overdue report',
    );
    await eventually(
      async () => {
        const report = (await system.http().get('/reports/refunds').query(RANGE).set(bearer(supervisor.token)).expect(200)).body as { rows: Array<{ ticketId: string }> };
        return report.rows.some((row) => row.ticketId === remediating.id) ? true : undefined;
      },
      60_000,
      'the refund owed on the REMEDIATING ticket',
    );
  });

  afterAll(async () => {
    await system?.close();
  });

  it('answers A’s crew 404 (or 403) on every operation that takes an id or a companyId, with B’s records, and changes nothing of B’s', async () => {
    const takesCompanyId = (operation: Operation): boolean =>
      operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'companyId') ||
      Object.keys(operation.requestBody?.properties ?? {}).includes('companyId');
    // The lists (GET with ?companyId and no id) are the next test's: they answer 200 with the crew's own records.
    const isList = (operation: Operation): boolean => operation.method === 'get' && !operation.parameters.some((parameter) => parameter.in === 'path');
    const selected = operations.filter((operation) => operation.parameters.some(isIdParameter) || (takesCompanyId(operation) && !isList(operation)));
    // The document was read: the ticket routes, and those of the other collections with an id, are among them.
    expect(selected.map((operation) => operation.key)).toEqual(
      expect.arrayContaining(['GET /tickets/{id}', 'GET /tickets/{id}/events', 'POST /tickets/{id}/accept', 'PATCH /companies/{id}', 'PATCH /users/{id}', 'POST /tickets']),
    );

    const failures: string[] = [];
    const checked = new Set<string>();
    let previous = await snapshotOfB();
    for (const operation of selected) {
      const planned = targetsFor(operation);
      if (typeof planned === 'string') {
        failures.push(`${operation.key} is not handled: ${planned}`);
        continue;
      }
      const query = queryFor(operation);
      const body = operation.requestBody ? minimalBody(document, operation.requestBody, { companyId: companyB.id }) : operation.method === 'get' ? undefined : {};
      const keyed = operation.parameters.some((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key');
      const missing = planned.nothing ? await call({ method: operation.method, path: planned.nothing, token: crewA.token, query, body }) : undefined;
      for (const target of planned.targets) {
        if (operation.method === 'get') {
          // Control: the record is there for someone (B's own crew first), so A's crew's 404 is the isolation.
          const readers = [crewB, supervisor, admin];
          let readBySomeone = false;
          for (const reader of readers) {
            if ((await call({ method: 'get', path: target.path, token: reader.token, query })).status === 200) {
              readBySomeone = true;
              break;
            }
          }
          if (!readBySomeone) failures.push(`${operation.key} on ${target.label}: not even B's crew, a supervisor or an admin reads it, so the check proves nothing`);
        }
        for (const idempotencyKey of keyed ? [undefined, `isolation-${randomUUID()}`] : [undefined]) {
          const what = `${operation.key} as A's crew on ${target.label}${idempotencyKey ? ' (with an Idempotency-Key)' : ''}`;
          const answer = await call({ method: operation.method, path: target.path, token: crewA.token, query, body, idempotencyKey });
          const now = await snapshotOfB();
          if (answer.status === 400) {
            failures.push(`${what}: 400, the body the test built from the schema (${JSON.stringify(body)}) was refused, so the check never reached the access rules: ${brief(answer)}`);
          } else if (answer.status !== 403 && answer.status !== 404) {
            failures.push(`${what}: answered ${answer.status}, not 404 or 403: ${brief(answer)}`);
          }
          if (now !== previous) failures.push(`${what}: changed B's records (${changedParts(previous, now)})`);
          previous = now;
          const shown = recordsOfBIn(answer.text, target.named);
          if (shown.length) failures.push(`${what}: the answer shows ${shown.join(', ')}`);
          if (missing) {
            // Another company's record does not exist for the crew: not even told apart from a missing one.
            const normalized = (candidate: Answer): string => `${candidate.status} ${JSON.stringify(candidate.body).replace(UUID, '<id>')}`;
            if (normalized(answer) !== normalized(missing)) {
              failures.push(`${what}: answers otherwise than for an id that names nothing (${normalized(answer).slice(0, 200)} vs ${normalized(missing).slice(0, 200)})`);
            }
          }
        }
      }
      checked.add(operation.key);
    }
    expect(failures).toEqual([]);
    expect([...checked].sort()).toEqual(selected.map((operation) => operation.key).sort());
  });

  it('gives A’s crew none of B’s records from any list it may read, ?companyId=B or not, as JSON or CSV', async () => {
    const lists = operations.filter((operation) => operation.method === 'get' && !operation.isPublic && !operation.parameters.some((parameter) => parameter.in === 'path'));
    const withCompanyId = lists.filter((operation) => operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'companyId'));
    expect(withCompanyId.map((operation) => operation.key)).toEqual(expect.arrayContaining(['GET /tickets', 'GET /escalations', 'GET /reports/overdue']));

    const failures: string[] = [];
    let readByCrew = 0;
    for (const operation of lists) {
      const query = queryFor(operation, rangeFor(operation));
      const asked = 'companyId' in query ? ' ?companyId=B' : '';
      if (asked) {
        // Control: B's records are in this list for those who may see every company's, so A's crew's answer proves something.
        let shownToOthers = false;
        for (const reader of [supervisor, admin]) {
          const answer = await call({ method: 'get', path: operation.path, token: reader.token, query });
          if (answer.status === 200 && bTickets.some((ticket) => answer.text.includes(ticket.id))) shownToOthers = true;
        }
        if (!shownToOthers) failures.push(`${operation.key}${asked}: no supervisor or admin answer lists a ticket of B, so the check proves nothing`);
      }
      for (const accept of ['application/json', ...(operation.produces.includes('text/csv') ? ['text/csv'] : [])]) {
        const what = `${operation.key}${asked} (${accept}) as A's crew`;
        const answer = await call({ method: 'get', path: operation.path, token: crewA.token, query, accept });
        if (answer.status === 403) continue; // the crew role may not call it at all
        if (answer.status !== 200) {
          failures.push(`${what}: answered ${answer.status}: ${brief(answer)}`);
          continue;
        }
        readByCrew += 1;
        const shown = recordsOfBIn(answer.text);
        if (shown.length) failures.push(`${what}: shows ${shown.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(readByCrew).toBeGreaterThanOrEqual(withCompanyId.length);
    // Asking for B's tickets, A's crew gets its own company's instead.
    const own = (await system.http().get('/tickets').query({ companyId: companyB.id }).set(bearer(crewA.token)).expect(200)).body as { items: Array<{ id: string }> };
    expect(own.items.map((item) => item.id)).toContain(ticketA.id);
  });

  it('keeps the name, the phone and the exact address out of every public answer', async () => {
    const publicOperations = operations.filter((operation) => operation.isPublic);
    expect(publicOperations.map((operation) => operation.key)).toEqual(expect.arrayContaining(['GET /public/notices', 'GET /public/companies']));
    const failures: string[] = [];
    for (const operation of publicOperations) {
      if (operation.parameters.some((parameter) => parameter.in === 'path')) {
        failures.push(`${operation.key} is not handled: a public operation with a path parameter; fill it in this test`);
        continue;
      }
      const answer = await call({ method: operation.method, path: operation.path, query: queryFor(operation, rangeFor(operation)), body: operation.method === 'get' ? undefined : {} });
      if (answer.status === 401 || answer.status === 403 || answer.status >= 500) failures.push(`${operation.key} without a token: answered ${answer.status}: ${brief(answer)}`);
      const shown = personalDataIn(answer.text);
      if (shown.length) failures.push(`${operation.key} (public) carries ${shown.join(', ')}`);
    }
    expect(failures).toEqual([]);
    // The notices checked are those of the test citizen's ticket.
    const notices = await call({ method: 'get', path: '/public/notices', query: { limit: '100' } });
    expect(bTickets.some((ticket) => notices.text.includes(ticket.number))).toBe(true);
  });

  it('keeps the name, the full phone and the exact address out of every CSV export', async () => {
    const exports = operations.filter((operation) => operation.produces.includes('text/csv'));
    expect(exports.map((operation) => operation.key)).toEqual(expect.arrayContaining(['GET /reports/overdue', 'GET /reports/companies']));
    const callers: Array<[string, SignedIn]> = [
      ['a supervisor', supervisor],
      ['an admin', admin],
      ['an operator', operator],
      ["B's crew", crewB],
      ["A's crew", crewA],
    ];
    const failures: string[] = [];
    for (const operation of exports) {
      if (operation.parameters.some((parameter) => parameter.in === 'path')) {
        failures.push(`${operation.key} is not handled: an export with a path parameter; fill it in this test`);
        continue;
      }
      let exported = false;
      let withRows = false;
      for (const [who, caller] of callers) {
        const answer = await call({ method: operation.method, path: operation.path, token: caller.token, query: queryFor(operation, rangeFor(operation)), accept: 'text/csv' });
        if (answer.status === 403) continue;
        if (answer.status !== 200 || !answer.contentType.startsWith('text/csv')) {
          failures.push(`${operation.key} (text/csv) as ${who}: answered ${answer.status} ${answer.contentType}: ${brief(answer)}`);
          continue;
        }
        exported = true;
        const lines = answer.text.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
        if (lines.length > 1) withRows = true;
        const shown = personalDataIn(answer.text);
        if (shown.length) failures.push(`${operation.key} (text/csv) as ${who} carries ${shown.join(', ')}`);
      }
      if (!exported) failures.push(`${operation.key}: nobody could export it as CSV`);
      else if (!withRows) failures.push(`${operation.key}: no export of it had a row, so the check proves nothing`);
    }
    expect(failures).toEqual([]);
  });
});

import { findFreePort } from '@app/devstack';
import { CompanyEntity, EscalationEntity, TicketEntity } from '@app/persistence';
import type { TicketDto } from '@app/tickets';
import { TicketLifecycleStarter } from '@app/tickets';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { parsePrometheusText, PrometheusSample, sampleSum } from '../support/prometheus-text';
import { eventually, RunningWorker, startTestSystem, startWorker, TestSystem } from '../support/system';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const HTTP_COUNT = 'hotline_http_request_duration_seconds_count';

/**
 * GET /metrics on the API and the worker's own /metrics, against real PostgreSQL and Temporal. The tests
 * run in order and share one API (and its registry): each compares the counters before and after what it
 * did, so the values asserted are exactly the ones it caused.
 */
describe('Prometheus metrics', () => {
  let system: TestSystem;
  let worker: RunningWorker | undefined;
  let workerMetricsUrl: string;
  let company: CompanyEntity;
  let operator: SignedIn;
  let crew: SignedIn;

  beforeAll(async () => {
    // No worker yet: the first test needs a ticket whose workflow start is left to a sweeper not yet running.
    system = await startTestSystem({ worker: false });
    company = await insertCompany(system.dataSource, ['NANKAI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
  });

  afterAll(async () => {
    await worker?.stop();
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  const scrapeApi = async (): Promise<PrometheusSample[]> => parsePrometheusText((await system.http().get('/metrics').expect(200)).text);
  const scrapeWorker = async (): Promise<PrometheusSample[]> => {
    const response = await fetch(workerMetricsUrl);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };
  async function createTicket(overrides: Record<string, unknown> = {}): Promise<TicketDto> {
    return (await as(operator).post('/tickets').send(ticketBody(overrides)).expect(201)).body;
  }
  /** Counter deltas between two scrapes. */
  const delta = (before: PrometheusSample[], after: PrometheusSample[], name: string, labels: Record<string, string> = {}): number =>
    sampleSum(after, name, labels) - sampleSum(before, name, labels);

  it('counts a workflow start left to the sweeper, and an action it made wait as unavailable (503)', async () => {
    const before = await scrapeApi();
    const starter = system.app.get(TicketLifecycleStarter);
    const spy = jest.spyOn(starter, 'start').mockRejectedValueOnce(new Error('Temporal unreachable (simulated)'));
    let ticket: TicketDto;
    try {
      ticket = await createTicket();
    } finally {
      spy.mockRestore();
    }
    // No worker runs, so no sweeper can start the workflow behind the test's back: the action must wait.
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(503);
    const after = await scrapeApi();
    expect(delta(before, after, 'hotline_workflow_start_failures_total')).toBe(1);
    expect(delta(before, after, 'hotline_tickets_created_total', { category: 'NOT_WARM', priority: 'P1' })).toBe(1);
    expect(delta(before, after, 'hotline_ticket_actions_total', { action: 'accept', outcome: 'unavailable' })).toBe(1);
    expect(delta(before, after, 'hotline_ticket_actions_total')).toBe(1);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets/:id/accept', status: '503' })).toBe(1);

    // Now the worker (with its metrics server) comes up; its sweeper starts the workflow, and the action goes through.
    const port = await findFreePort();
    worker = await startWorker({ ...system.config, workerMetricsPort: port });
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    await eventually(
      async () => ((await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticket.id })).workflowStartedAt ? true : undefined),
      30_000,
      'sweeper start',
    );
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    const later = await scrapeApi();
    expect(delta(after, later, 'hotline_ticket_actions_total', { action: 'accept', outcome: 'applied' })).toBe(1);
    expect(delta(after, later, 'hotline_workflow_start_failures_total')).toBe(0);
  });

  it('serves the text format without a token, with default process metrics and the registry’s Content-Type', async () => {
    const response = await system.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const samples = parsePrometheusText(response.text);
    expect(samples.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((sample) => sample.name === 'nodejs_heap_size_total_bytes')).toBe(true);
    expect(response.text).toContain('# TYPE hotline_tickets_created_total counter');
    expect(response.text).toContain('# TYPE hotline_http_request_duration_seconds histogram');
  });

  it('counts new tickets by category and priority, and repeat calls apart', async () => {
    const before = await scrapeApi();
    const first = await createTicket({ category: 'NOT_WARM' });
    await createTicket({ category: 'NOT_WARM' });
    await createTicket({ category: 'NO_HEAT', priority: 'P0' });
    await createTicket({ category: 'BILLING' });
    // The same caller, address and category again: a repeat call (200), not a new ticket.
    const repeat = await as(operator)
      .post('/tickets')
      .send(ticketBody({ category: 'NOT_WARM', citizenPhone: first.citizenPhone, address: first.address }))
      .expect(200);
    expect(repeat.body.id).toBe(first.id);
    const after = await scrapeApi();
    expect(delta(before, after, 'hotline_tickets_created_total', { category: 'NOT_WARM', priority: 'P1' })).toBe(2);
    expect(delta(before, after, 'hotline_tickets_created_total', { category: 'NO_HEAT', priority: 'P0' })).toBe(1);
    expect(delta(before, after, 'hotline_tickets_created_total', { category: 'BILLING', priority: 'P2' })).toBe(1);
    expect(delta(before, after, 'hotline_tickets_created_total')).toBe(4);
    expect(delta(before, after, 'hotline_repeat_calls_total', { category: 'NOT_WARM' })).toBe(1);
    expect(delta(before, after, 'hotline_repeat_calls_total')).toBe(1);
    expect(delta(before, after, 'hotline_workflow_start_failures_total')).toBe(0);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets', status: '201' })).toBe(4);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets', status: '200' })).toBe(1);
  });

  it('counts actions by type and outcome: applied, and refused (409)', async () => {
    const ticket = await createTicket();
    const before = await scrapeApi();
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: 'too early' }).expect(409);
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(409);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    // Refused before reaching the workflow (403, 400): not an action outcome.
    await as(operator).post(`/tickets/${ticket.id}/accept`).expect(403);
    const after = await scrapeApi();
    expect(delta(before, after, 'hotline_ticket_actions_total', { action: 'accept', outcome: 'applied' })).toBe(1);
    expect(delta(before, after, 'hotline_ticket_actions_total', { action: 'accept', outcome: 'refused' })).toBe(1);
    expect(delta(before, after, 'hotline_ticket_actions_total', { action: 'contact', outcome: 'refused' })).toBe(1);
    expect(delta(before, after, 'hotline_ticket_actions_total', { action: 'contact', outcome: 'applied' })).toBe(1);
    expect(delta(before, after, 'hotline_ticket_actions_total')).toBe(4);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets/:id/accept', status: '200' })).toBe(1);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets/:id/accept', status: '409' })).toBe(1);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets/:id/accept', status: '403' })).toBe(1);
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets/:id/contact', status: '409' })).toBe(1);
  });

  it('labels HTTP latency by route template, never by the URL with its ids', async () => {
    const ticket = await createTicket();
    const before = await scrapeApi();
    await as(operator).get(`/tickets/${ticket.id}`).expect(200);
    await as(operator).get(`/tickets/${ticket.id}/events`).expect(200);
    await system.http().post(`/tickets/${ticket.id}/accept`).expect(401);
    await system.http().get(`/no-such-thing/${ticket.id}`).expect(404);
    const after = await scrapeApi();
    expect(delta(before, after, HTTP_COUNT, { method: 'GET', route: '/tickets/:id', status: '200' })).toBe(1);
    expect(delta(before, after, HTTP_COUNT, { method: 'GET', route: '/tickets/:id/events', status: '200' })).toBe(1);
    // A guard's refusal is timed under the route it refused.
    expect(delta(before, after, HTTP_COUNT, { method: 'POST', route: '/tickets/:id/accept', status: '401' })).toBe(1);
    expect(delta(before, after, HTTP_COUNT, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // The earlier scrape itself is timed too.
    expect(delta(before, after, HTTP_COUNT, { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    const routes = new Set(after.filter((sample) => sample.name === HTTP_COUNT).map((sample) => sample.labels.route));
    expect(routes.size).toBeGreaterThan(3);
    for (const route of routes) {
      expect(route).not.toMatch(UUID);
      expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
    }
    const buckets = after.filter((sample) => sample.name === 'hotline_http_request_duration_seconds_bucket');
    expect(new Set(buckets.map((sample) => sample.labels.le))).toContain('+Inf');
  });

  it('has the worker count every rung it recorded, exactly the rows of the escalations table, with their lateness', async () => {
    expect(workerMetricsUrl).toBeDefined();
    const before = await scrapeWorker();
    expect(before.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);
    await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT30S', contact: 'PT2S', visit: 'PT3S', reply: 'PT4S' });
    const ticket = await createTicket({ category: 'LEAK' });
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    const rows = (): Promise<EscalationEntity[]> => system.dataSource.getRepository(EscalationEntity).findBy({ ticketId: ticket.id });
    // The latest instant of the ladder (reply's notice) fired: every earlier rung fired before it, one at a time.
    await eventually(async () => ((await rows()).some((row) => row.stage === 'reply' && row.level === 'PUBLIC_NOTICE') ? true : undefined), 60_000, 'reply notice');
    await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
    const fired = await rows();
    expect(fired.length).toBeGreaterThanOrEqual(12);
    // The counter moves just after the row's commit: poll until it has caught up, then compare exactly.
    const after = await eventually(async () => {
      const samples = await scrapeWorker();
      return delta(before, samples, 'hotline_rungs_fired_total') >= fired.length ? samples : undefined;
    }, 15_000, 'worker rung counters');
    expect(delta(before, after, 'hotline_rungs_fired_total')).toBe(fired.length);
    const groups = new Map<string, { level: string; stage: string; count: number }>();
    for (const row of fired) {
      const key = `${row.level}/${row.stage}`;
      groups.set(key, { level: row.level, stage: row.stage, count: (groups.get(key)?.count ?? 0) + 1 });
    }
    for (const { level, stage, count } of groups.values()) {
      expect({ level, stage, counted: delta(before, after, 'hotline_rungs_fired_total', { level, stage }) }).toEqual({ level, stage, counted: count });
    }
    for (const level of new Set(fired.map((row) => row.level))) {
      const ofLevel = fired.filter((row) => row.level === level);
      expect(delta(before, after, 'hotline_rung_lateness_seconds_count', { level })).toBe(ofLevel.length);
      const lateness = ofLevel.reduce((sum, row) => sum + Math.max(0, (row.firedAt.getTime() - row.dueAt.getTime()) / 1000), 0);
      expect(delta(before, after, 'hotline_rung_lateness_seconds_sum', { level })).toBeCloseTo(lateness, 2);
      expect(delta(before, after, 'hotline_rung_lateness_seconds_bucket', { level, le: '+Inf' })).toBe(ofLevel.length);
    }
    expect(new Set(after.filter((sample) => sample.name === 'hotline_rung_lateness_seconds_bucket').map((s) => s.labels.le))).toEqual(
      new Set(['0.05', '0.1', '0.25', '0.5', '1', '2', '5', '10', '30', '60', '+Inf']),
    );
    // Rungs fire in the worker only: the API's registry counts none.
    expect(sampleSum(await scrapeApi(), 'hotline_rungs_fired_total')).toBe(0);
    // The worker's server answers /metrics only.
    expect((await fetch(workerMetricsUrl.replace(/\/metrics$/, '/other'))).status).toBe(404);
  });
});

import { randomUUID } from 'node:crypto';
import { ticketBody } from '../support/fixtures';
import { eventually } from '../support/system';
import { expectAcceptLaddersFired, expectConsistent, lastRungInstant, useAcceptLadder, useFaultStack, waitForWorkflow } from '../support/fault-checks';

// Fault tier: PostgreSQL killed (every process, as a crash would) under load, and started again on its data.
jest.setTimeout(600_000);

describe('PostgreSQL killed and restarted under load', () => {
  const faults = useFaultStack('postgres');

  it('answers 503 while it is down, and the rungs that came due meanwhile wait and fire once when it is back', async () => {
    const { stack, staff } = faults;
    await useAcceptLadder(staff, 15);
    const tickets = [];
    for (let i = 0; i < 8; i++) tickets.push((await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body);
    const ids = tickets.map((ticket) => ticket.id as string);
    for (const id of ids) await waitForWorkflow(stack, id);
    const lastDue = await lastRungInstant(stack, ids, 'accept');

    await stack.postgres.kill();
    // Load while it is down: creates, reads and a sign-in all answer 503 problems (never a 500 or a hang).
    const statuses = new Map<string, number>();
    const load = async (): Promise<void> => {
      const attempts = [
        ['create', () => staff.operator.post('/tickets', ticketBody(), { 'Idempotency-Key': randomUUID() })],
        ['read', () => staff.operator.get(`/tickets/${ids[0]}`)],
        ['list', () => staff.operator.get('/tickets?limit=5')],
      ] as const;
      for (const [name, attempt] of attempts) {
        const answer = await attempt();
        statuses.set(`${name} ${answer.status}`, (statuses.get(`${name} ${answer.status}`) ?? 0) + 1);
      }
    };
    await eventually(async () => ((await staff.operator.get('/health')).body.database === 'down' ? true : undefined), 60_000, 'readiness naming the database');
    for (let round = 0; round < 5; round++) await Promise.all([load(), load(), load()]);
    expect([...statuses.keys()].sort()).toEqual(['create 503', 'list 503', 'read 503']);

    // Down until every rung of the tickets is due; then back on the same data.
    await eventually(async () => (Date.now() > lastDue + 1000 ? true : undefined), 60_000, 'every rung due');
    await stack.postgres.start();
    await expectAcceptLaddersFired(stack, ids);
    // Nothing answered 503 was stored.
    expect(Number((await stack.query<{ n: string }>('SELECT count(*) AS n FROM tickets'))[0].n)).toBe(ids.length);
    await eventually(async () => ((await staff.operator.get('/health')).status === 200 ? true : undefined), 60_000, 'ready again');
    await staff.crew.expect(200, 'POST', `/tickets/${ids[0]}/accept`);
    await expectConsistent(stack);
  });
});

import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { ticketBody } from '../support/fixtures';
import { eventually } from '../support/system';
import { expectAcceptLaddersFired, expectConsistent, expectFiredOnce, firedCount, lastRungInstant, useAcceptLadder, useFaultStack, waitForWorkflow } from '../support/fault-checks';

// Fault tier: the worker SIGKILLed while rungs are due, and while an action's activity is in flight.
jest.setTimeout(600_000);

describe('worker killed (SIGKILL)', () => {
  const faults = useFaultStack('worker');

  it('fires every rung that came due while it was down exactly once, after it is back', async () => {
    const { stack, staff } = faults;
    // P0 (a leak): the accept stage's four rungs 9.6–16 s after the dispatch; the later stages far off.
    await useAcceptLadder(staff, 12);
    const tickets = [];
    for (let i = 0; i < 20; i++) tickets.push((await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body);
    const ids = tickets.map((ticket) => ticket.id as string);
    const fired = (): Promise<number> => firedCount(stack, ids);

    // Killed on state: once the first rung is recorded, while the others are still to come.
    await eventually(async () => ((await fired()) > 0 ? true : undefined), 120_000, 'the first rung recorded');
    await stack.worker.kill();
    const lastInstant = await lastRungInstant(stack, ids, 'accept');
    // Every rung's instant passes while no worker runs; some were not recorded before it died.
    await eventually(async () => (Date.now() > lastInstant + 1000 ? true : undefined), 60_000, 'every rung due');
    const firedWhileDown = await fired();
    expect(firedWhileDown).toBeLessThan(ids.length * 4);

    await stack.worker.start();
    await expectAcceptLaddersFired(stack, ids);
    await expectConsistent(stack);
  });

  it('applies an action whose activity was in flight exactly once, and its caller gets one answer', async () => {
    const { stack, staff } = faults;
    const ticket = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody())).body;
    await waitForWorkflow(stack, ticket.id);
    // The row locked from outside (a lock the API's key check passes, the activity's FOR UPDATE does not):
    // the accept's activity has started and waits in PostgreSQL.
    const locker = new PgClient({ connectionString: stack.databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM tickets WHERE id = $1 FOR NO KEY UPDATE', [ticket.id]);
    const [{ pid: lockerPid }] = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const answer = staff.crew.post(`/tickets/${ticket.id}/accept`, {}, { 'Idempotency-Key': randomUUID() });
    await eventually(
      async () => ((await stack.query('SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [lockerPid])).length > 0 ? true : undefined),
      60_000,
      'the activity waiting on the row',
    );
    await stack.worker.kill();
    await locker.query('ROLLBACK');
    await locker.end();
    await stack.worker.start();

    const outcome = await answer;
    expect(outcome.status).toBe(200);
    expect(outcome.body.status).toBe('ACCEPTED');
    const accepts = await stack.query(`SELECT id FROM ticket_events WHERE ticket_id = $1 AND type = 'ACCEPT'`, [ticket.id]);
    expect(accepts).toHaveLength(1);
    await expectFiredOnce(stack, [ticket.id], {});
    await expectConsistent(stack);
  });
});

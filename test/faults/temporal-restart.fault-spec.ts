import { randomUUID } from 'node:crypto';
import { ticketBody } from '../support/fixtures';
import { eventually } from '../support/system';
import { expectAcceptLaddersFired, expectConsistent, lastRungInstant, useAcceptLadder, useFaultStack, waitForWorkflow } from '../support/fault-checks';

// Fault tier: the Temporal server SIGKILLed and started again on its file while tickets are created and acted on.
jest.setTimeout(600_000);

describe('Temporal server killed and restarted', () => {
  const faults = useFaultStack('temporal');

  it('answers creates 201 while it is down, actions 503 changing nothing, and fires every rung once from the original dispatch', async () => {
    const { stack, staff } = faults;
    await useAcceptLadder(staff, 20);
    const leak = (): Record<string, unknown> => ticketBody({ category: 'LEAK' });
    const before: Array<{ id: string }> = [];
    for (let i = 0; i < 5; i++) before.push((await staff.operator.expect(201, 'POST', '/tickets', leak())).body);
    for (const ticket of before) await waitForWorkflow(stack, ticket.id);

    await stack.temporal.kill();
    const during: Array<{ id: string; dispatchedAt: string; stages: { accept: { dueAt: string } } }> = [];
    for (let i = 0; i < 5; i++) during.push((await staff.operator.expect(201, 'POST', '/tickets', leak(), { 'Idempotency-Key': randomUUID() })).body);
    // An action cannot be applied without its workflow: 503, and the ticket is as it was.
    const refused = await staff.crew.post(`/tickets/${before[0].id}/accept`, {}, { 'Idempotency-Key': randomUUID() });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await staff.crew.expect(200, 'GET', `/tickets/${before[0].id}`)).body.status).toBe('RECEIVED');
    expect(await stack.query(`SELECT id FROM ticket_events WHERE ticket_id = $1 AND type = 'ACCEPT'`, [before[0].id])).toEqual([]);
    await eventually(async () => ((await staff.operator.get('/health')).body.temporal === 'down' ? true : undefined), 60_000, 'readiness naming Temporal');

    // Down until the first tickets' rungs are all due.
    const ids = [...before, ...during].map((ticket) => ticket.id as string);
    const firstRungsDue = await lastRungInstant(stack, before.map((ticket) => ticket.id), 'accept');
    await eventually(async () => (Date.now() > firstRungsDue + 1000 ? true : undefined), 60_000, 'the first tickets’ rungs due');
    await stack.temporal.start();

    // The tickets created while it was down get their workflows from the worker's sweeper, with their
    // deadlines counted from their own dispatch (the ladder check compares each rung with the stored instant).
    for (const ticket of during) await waitForWorkflow(stack, ticket.id);
    for (const ticket of during) expect(Date.parse(ticket.stages.accept.dueAt) - Date.parse(ticket.dispatchedAt)).toBe(20_000);
    await expectAcceptLaddersFired(stack, ids);
    await eventually(async () => ((await staff.crew.post(`/tickets/${before[0].id}/accept`)).status === 200 ? true : undefined), 60_000, 'the action once Temporal is back');
    await expectConsistent(stack);
  });
});

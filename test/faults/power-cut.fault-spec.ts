import { randomUUID } from 'node:crypto';
import { ticketBody } from '../support/fixtures';
import { createBurst, expectAcceptLaddersFired, expectConsistent, expectEachTicketOnce, expectFiredOnce, ticketCount, useAcceptLadder, useFaultStack, waitForWorkflow } from '../support/fault-checks';

// Fault tier: every process of the stack SIGKILLed at once during a burst, then the stack started again.
jest.setTimeout(600_000);

describe('power cut', () => {
  const faults = useFaultStack('power');

  it('recovers everything: each answered ticket once with its workflow, every rung once, actions kept', async () => {
    const { stack, staff } = faults;
    await useAcceptLadder(staff, 25);
    const accepted = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body;
    await waitForWorkflow(stack, accepted.id);
    await staff.crew.expect(200, 'POST', `/tickets/${accepted.id}/accept`, {}, { 'Idempotency-Key': randomUUID() });
    const before = await ticketCount(stack);

    let cut: Promise<void> | undefined;
    const outcome = await createBurst(staff.operator, {
      count: 40,
      concurrency: 8,
      body: () => ticketBody({ category: 'LEAK' }),
      onAnswer: (answered) => {
        if (answered === 15) cut ??= (async () => {
          await stack.powerCut();
          // Back in the order a machine boots them; the clients keep retrying meanwhile.
          await stack.postgres.start();
          await stack.temporal.start();
          await stack.worker.start();
          await stack.api.start();
        })();
      },
    });
    await cut;
    process.stdout.write(`[fault] power cut after 15 of 40 answers; retries: ${outcome.retried.connection} at the connection, ${JSON.stringify([...outcome.retried.status])} by status\n`);
    expect(outcome.answers.size).toBe(40);
    const ids = await expectEachTicketOnce(stack, outcome, before);

    expect((await staff.crew.expect(200, 'GET', `/tickets/${accepted.id}`)).body.status).toBe('ACCEPTED');
    await expectAcceptLaddersFired(stack, ids);
    await expectFiredOnce(stack, [accepted.id], {});
    await expectConsistent(stack);
  });
});

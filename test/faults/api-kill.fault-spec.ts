import { createBurst, expectConsistent, expectEachTicketOnce, ticketCount, useFaultStack } from '../support/fault-checks';
import { eventually } from '../support/system';

// Fault tier: the API SIGKILLed in the middle of a burst of creates whose clients retry with their keys.
jest.setTimeout(600_000);

describe('API killed (SIGKILL) mid-create', () => {
  const faults = useFaultStack('api');

  it('leaves every ticket existing exactly once, with its workflow, and nothing answered missing', async () => {
    const { stack, staff } = faults;
    const before = await ticketCount(stack);
    let cut: Promise<void> | undefined;
    const burst = createBurst(staff.operator, {
      count: 60,
      concurrency: 8,
      // Cut on state: once a third is answered, with the other clients' creates in flight.
      onAnswer: (answered) => {
        if (answered === 20) cut ??= (async () => {
          await stack.api.kill();
          await stack.api.start();
        })();
      },
    });
    const outcome = await burst;
    await cut;
    process.stdout.write(`[fault] API killed after 20 of 60 answers; retries: ${outcome.retried.connection} at the connection, ${JSON.stringify([...outcome.retried.status])} by status\n`);
    expect(outcome.answers.size).toBe(60);
    const ids = await expectEachTicketOnce(stack, outcome, before);

    // A retry after the fact still answers the first outcome and creates nothing.
    const [key, first] = [...outcome.answers.entries()][0];
    const replay = await staff.operator.post('/tickets', outcome.bodies.get(key), { 'Idempotency-Key': key });
    expect([replay.status, replay.body.id]).toEqual([first.status, first.body.id]);
    expect(await ticketCount(stack)).toBe(before + ids.length);
    await eventually(async () => ((await staff.crew.post(`/tickets/${ids[0]}/accept`)).status === 200 ? true : undefined), 60_000, 'an action on a ticket of the burst');
    await expectConsistent(stack);
  });
});

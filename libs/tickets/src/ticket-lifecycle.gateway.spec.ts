import { HttpException } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import type { TemporalClient } from '@app/temporal';
import { TICKET_NOT_FOUND, ticketActionUpdate, TRANSITION_REFUSED } from '@app/workflows';
import { applicationFailureOf, problemOf, TicketLifecycleGateway } from './ticket-lifecycle.gateway';

const open = { id: '9b1c7f3e-0d2a-4c55-9a71-5f2e8d4c3b10', status: 'RECEIVED' as const };

/** How Temporal's answers become HTTP answers, whichever layer a failure comes from. */
describe('problemOf', () => {
  const refused = () => ApplicationFailure.nonRetryable('accept is not allowed when the ticket is CANCELLED', TRANSITION_REFUSED);
  const fromActivity = (cause: ApplicationFailure) =>
    new WorkflowUpdateFailedError('Workflow Update failed', new ActivityFailure('activity failed', 'applyTransition', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause));

  it('answers 409 to a refusal from the Update validator (the failure is the cause)', () => {
    const problem = problemOf(new WorkflowUpdateFailedError('Workflow Update failed', refused()), open);
    expect(problem.getStatus()).toBe(409);
    expect(problem.getResponse()).toMatchObject({ detail: 'accept is not allowed when the ticket is CANCELLED' });
  });

  it('answers 409 to a refusal decided in the activity (the failure is the cause of an ActivityFailure)', () => {
    expect(problemOf(fromActivity(refused()), open).getStatus()).toBe(409);
  });

  it('answers 404 when the activity finds no ticket', () => {
    const problem = problemOf(fromActivity(ApplicationFailure.nonRetryable('ticket x does not exist', TICKET_NOT_FOUND)), open);
    expect(problem.getStatus()).toBe(404);
  });

  it('answers 503 (try again) to an unreachable or not yet started workflow, 409 to an ended one', () => {
    expect(problemOf(new Error('14 UNAVAILABLE: connection refused'), open).getStatus()).toBe(503);
    expect(problemOf(new WorkflowNotFoundError('not found', 'ticket-x', undefined), open).getStatus()).toBe(503);
    expect(problemOf(new WorkflowNotFoundError('not found', 'ticket-x', undefined), { ...open, status: 'CLOSED' }).getStatus()).toBe(409);
  });

  it('walks the cause chain, and stops at something that is not an error', () => {
    const deep = new Error('outer', { cause: new Error('middle', { cause: refused() }) });
    expect(applicationFailureOf(deep)?.type).toBe(TRANSITION_REFUSED);
    expect(applicationFailureOf('boom')).toBeUndefined();
  });
});

/** The Update id an Idempotency-Key names reaches Temporal, and an earlier Update's outcome is read by it. */
describe('TicketLifecycleGateway', () => {
  const actor = { username: 'crew1', role: 'crew' as const };
  function gatewayWith(handle: { executeUpdate?: jest.Mock; getUpdateHandle?: jest.Mock }) {
    const getHandle = jest.fn().mockReturnValue(handle);
    return { gateway: new TicketLifecycleGateway({ workflow: { getHandle } } as unknown as TemporalClient), getHandle };
  }
  const statusOf = (outcome: Promise<unknown>): Promise<unknown> => outcome.then(() => 'resolved', (error: HttpException) => error.getStatus());

  it('sends the action as the Update, with the id derived from the key when there is one', async () => {
    const executeUpdate = jest.fn().mockResolvedValue({ status: 'ACCEPTED', transitionSeq: 1 });
    const { gateway, getHandle } = gatewayWith({ executeUpdate });
    await gateway.apply(open, { action: 'accept' }, actor, 'action:crew1:abc');
    await gateway.apply(open, { action: 'accept' }, actor);
    expect(getHandle).toHaveBeenCalledWith(`ticket-${open.id}`);
    expect(executeUpdate.mock.calls[0]).toEqual([ticketActionUpdate, { args: [{ input: { action: 'accept' }, actor }], updateId: 'action:crew1:abc' }]);
    expect(executeUpdate.mock.calls[1]).toEqual([ticketActionUpdate, { args: [{ input: { action: 'accept' }, actor }] }]);
  });

  it('reads an earlier Update by its id: applied, refused (409), or unknown to the workflow (false: send it again)', async () => {
    const result = jest.fn();
    const getUpdateHandle = jest.fn().mockReturnValue({ result });
    const { gateway } = gatewayWith({ getUpdateHandle });
    result.mockResolvedValueOnce({ status: 'ACCEPTED', transitionSeq: 1 });
    await expect(gateway.outcomeOf(open, 'action:crew1:abc')).resolves.toBe(true);
    expect(getUpdateHandle).toHaveBeenCalledWith('action:crew1:abc');
    result.mockRejectedValueOnce(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('no', TRANSITION_REFUSED)));
    expect(await statusOf(gateway.outcomeOf(open, 'action:crew1:abc'))).toBe(409);
    result.mockRejectedValueOnce(new WorkflowNotFoundError('update not found', `ticket-${open.id}`, undefined));
    await expect(gateway.outcomeOf(open, 'action:crew1:abc')).resolves.toBe(false);
    result.mockRejectedValueOnce(new Error('14 UNAVAILABLE: connection refused'));
    expect(await statusOf(gateway.outcomeOf(open, 'action:crew1:abc'))).toBe(503);
  });
});

import { HttpStatus, Injectable } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isOpenStatus } from '@app/domain';
import type { ActionInput, AuthenticatedUser, TicketStatus } from '@app/domain';
import { ProblemException } from '@app/http';
import { TemporalClient } from '@app/temporal';
import { TICKET_NOT_FOUND, ticketActionUpdate, ticketWorkflowId, TRANSITION_REFUSED } from '@app/workflows';
import type { TicketActionResult } from '@app/workflows';

/**
 * The ApplicationFailure a Temporal error carries, however deep: a refusal from the Update's validator
 * arrives as the Update failure's cause, one decided in the activity as the cause of an ActivityFailure.
 */
export function applicationFailureOf(error: unknown): ApplicationFailure | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 10; cause = cause.cause, depth++) {
    if (cause instanceof ApplicationFailure) return cause;
  }
  return undefined;
}

/** Sends an action to a ticket's workflow and turns Temporal's answers into HTTP problems. */
@Injectable()
export class TicketLifecycleGateway {
  constructor(private readonly temporal: TemporalClient) {}

  /**
   * Applies the action through the workflow's Update. With `updateId` (from an Idempotency-Key), a second
   * send with the same id attaches to the first Update and gets its outcome: the action is applied once.
   */
  async apply(
    ticket: { id: string; status: TicketStatus },
    input: ActionInput,
    actor: Pick<AuthenticatedUser, 'username' | 'role'>,
    updateId?: string,
  ): Promise<void> {
    try {
      await this.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).executeUpdate(ticketActionUpdate, {
        args: [{ input, actor: { username: actor.username, role: actor.role } }],
        ...(updateId ? { updateId } : {}),
      });
    } catch (error) {
      throw problemOf(error, ticket);
    }
  }

  /**
   * The outcome of an Update sent earlier with `updateId`, waiting for it if it is still running: true once
   * it applied, false when the workflow holds no such Update (it never got there, or its validator refused
   * it, which leaves no trace), so the action must be sent again; a refusal is thrown as its problem.
   */
  async outcomeOf(ticket: { id: string; status: TicketStatus }, updateId: string): Promise<boolean> {
    try {
      await this.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).getUpdateHandle<TicketActionResult>(updateId).result();
      return true;
    } catch (error) {
      // NOT_FOUND, for the Update or the workflow: nothing to attach to (apply then answers a missing workflow).
      if (error instanceof WorkflowNotFoundError) return false;
      throw problemOf(error, ticket);
    }
  }
}

/** The HTTP answer to a failed action: 409 refused, 404 no such ticket, 503 try again (nothing changed). */
export function problemOf(error: unknown, ticket: { id: string; status: TicketStatus }): ProblemException {
  const failure = applicationFailureOf(error);
  if (failure?.type === TRANSITION_REFUSED) {
    return new ProblemException(HttpStatus.CONFLICT, failure.message, { title: 'Action not allowed now' });
  }
  if (failure?.type === TICKET_NOT_FOUND) {
    return new ProblemException(HttpStatus.NOT_FOUND, `Ticket ${ticket.id} does not exist`, { title: 'Not Found' });
  }
  if (error instanceof WorkflowNotFoundError && isOpenStatus(ticket.status)) {
    return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The ticket’s workflow has not started yet (it will shortly); nothing was changed, try again', {
      title: 'Workflow not started yet',
    });
  }
  if (error instanceof WorkflowNotFoundError) {
    return new ProblemException(HttpStatus.CONFLICT, 'The ticket no longer takes actions (its lifecycle has ended)', {
      title: 'Action not allowed now',
    });
  }
  return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, `The ticket workflow could not be reached; nothing was changed, try again: ${(error as Error).message}`, {
    title: 'Workflow service unavailable',
  });
}

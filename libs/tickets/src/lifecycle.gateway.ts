import { HttpStatus, Injectable } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ActionInput, isOpenStatus, TicketStatus } from '@app/domain';
import { ProblemException } from '@app/http';
import { TemporalClient } from '@app/temporal';
import { TicketActor, ticketActionUpdate, ticketWorkflowId, TRANSITION_REFUSED } from '@app/workflows';

/** Sends an action to a ticket's workflow and turns Temporal's answers into HTTP problems. */
@Injectable()
export class TicketWorkflowGateway {
  constructor(private readonly temporal: TemporalClient) {}

  async apply(ticket: { id: string; status: TicketStatus }, input: ActionInput, actor: TicketActor): Promise<void> {
    try {
      await this.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).executeUpdate(ticketActionUpdate, { args: [{ input, actor }] });
    } catch (error) {
      throw this.toProblem(error, ticket.status);
    }
  }

  private toProblem(error: unknown, status: TicketStatus): ProblemException {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === TRANSITION_REFUSED) {
      return new ProblemException(HttpStatus.CONFLICT, error.cause.message, { title: 'Action not allowed now' });
    }
    if (error instanceof WorkflowNotFoundError && isOpenStatus(status)) {
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
}

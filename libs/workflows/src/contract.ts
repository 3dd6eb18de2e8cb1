import { defineQuery } from '@temporalio/workflow';
import type { RungLevel, Stage } from '@app/domain';

/** Workflow ids derive from ticket ids, so a start retried for the same ticket can never make a second one. */
export function ticketWorkflowId(ticketId: string): string {
  return `ticket-${ticketId}`;
}

export const TICKET_WORKFLOW_TYPE = 'ticketWorkflow';

/** A rung of the escalation ladder at its absolute instant (ISO 8601). */
export interface ArmedRung {
  readonly stage: Stage;
  readonly level: RungLevel;
  readonly at: string;
}

export interface TicketWorkflowInput {
  readonly ticketId: string;
  /** The dispatch the rungs belong to; part of each rung's exactly-once key. */
  readonly dispatchedAt: string;
  readonly rungs: readonly ArmedRung[];
}

export interface TicketWorkflowState {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  readonly pendingRungs: readonly ArmedRung[];
  readonly firedRungs: readonly ArmedRung[];
}

export const ticketStateQuery = defineQuery<TicketWorkflowState>('ticketState');

export interface RecordRungInput {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  readonly stage: Stage;
  readonly level: RungLevel;
  /** The rung's instant, as armed. */
  readonly dueAt: string;
}

/** What the workflow asks of the worker's activities; implemented in libs/tickets. */
export interface TicketActivities {
  /** Records a fired rung; a second call for the same rung changes nothing. */
  recordRung(input: RecordRungInput): Promise<void>;
}

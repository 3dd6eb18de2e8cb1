// First release: the contract of the rungs-only `ticketWorkflow`. Kept only so tickets started by the first
// release finish and their recorded histories replay (test/histories/ticket-workflow-*.json). Never change
// it: new tickets run `ticketLifecycleWorkflow`, whose contract is ../contract.ts. The types are frozen
// copies, not imports of the live contract, so a change there cannot reach this workflow.
import { defineQuery } from '@temporalio/workflow';
import type { RungLevel, Stage } from '@app/domain';

/** A rung of the escalation ladder at its absolute instant (ISO 8601). */
export interface ArmedRungV1 {
  readonly stage: Stage;
  readonly level: RungLevel;
  readonly at: string;
}

export interface TicketWorkflowInput {
  readonly ticketId: string;
  /** The dispatch the rungs belong to; part of each rung's exactly-once key. */
  readonly dispatchedAt: string;
  readonly rungs: readonly ArmedRungV1[];
}

export interface TicketWorkflowState {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  readonly pendingRungs: readonly ArmedRungV1[];
  readonly firedRungs: readonly ArmedRungV1[];
}

export const ticketStateQuery = defineQuery<TicketWorkflowState>('ticketState');

/** What the first release sends to the worker's `recordRung` activity. */
export interface RecordRungInputV1 {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  readonly stage: Stage;
  readonly level: RungLevel;
  /** The rung's instant, as armed. */
  readonly dueAt: string;
}

/** The one activity the first release calls. */
export interface TicketActivitiesV1 {
  recordRung(input: RecordRungInputV1): Promise<void>;
}

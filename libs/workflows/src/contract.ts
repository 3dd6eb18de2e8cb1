import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActionInput, AuthenticatedUser, IndoorStandardSnapshot, LifecycleState, RungLevel, Stage, TicketStatus } from '@app/domain';

/** Workflow ids derive from ticket ids, so a start retried for the same ticket can never make a second one. */
export function ticketWorkflowId(ticketId: string): string {
  return `ticket-${ticketId}`;
}

/** The workflow new tickets run. `ticketWorkflow` (rungs only) stays registered for tickets started before it. */
export const TICKET_WORKFLOW_TYPE = 'ticketLifecycleWorkflow';

/** A rung of the escalation ladder at its absolute instant (ISO 8601). */
export interface ArmedRung {
  readonly stage: Stage;
  readonly level: RungLevel;
  readonly at: string;
}

export interface RecordRungInput {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  readonly stage: Stage;
  readonly level: RungLevel;
  /** The rung's instant, as armed. */
  readonly dueAt: string;
}

/** The ticket as its workflow sees it: the rules' view plus the rungs of the stages still under way. */
export interface WorkflowTicketState extends LifecycleState {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  /** Transitions applied so far; the next one carries this + 1, making a retried activity a no-op. */
  readonly transitionSeq: number;
  /** The indoor temperature standard the ticket is judged by (°C); older states have only this. */
  readonly temperatureStandard: number;
  /** The ticket's snapshot of the standard (°C and the rooms it applies to); absent in older workflow states. */
  readonly indoorStandard?: IndoorStandardSnapshot;
  readonly rungs: readonly ArmedRung[];
  /** When an active pause runs out and the workflow resumes the clock by itself; absent/null: no pause. */
  readonly pauseEndsAt?: string | null;
}

export interface TicketLifecycleInput {
  readonly state: WorkflowTicketState;
}

export interface TicketActionRequest {
  readonly input: ActionInput;
  /** Who acts, as the audit trail records them: a user, or the workflow itself (a pause reaching its cap). */
  readonly actor: Pick<AuthenticatedUser, 'username'> & { readonly role: AuthenticatedUser['role'] | typeof SYSTEM_ACTOR.role };
}

export interface TicketActionResult {
  readonly status: TicketStatus;
  readonly transitionSeq: number;
}

/** Every state change of a ticket goes through this Update, so actions and deadlines have one order. */
export const ticketActionUpdate = defineUpdate<TicketActionResult, [TicketActionRequest]>('ticketAction');

export const ticketLifecycleQuery = defineQuery<WorkflowTicketState>('ticketLifecycle');

/** The workflow acting on its own, as the audit trail names it (rungs, a pause's cap). */
export const SYSTEM_ACTOR = { username: 'system', role: 'system' } as const;

/** The failure type of a refused action; the API answers it with 409. */
export const TRANSITION_REFUSED = 'TransitionRefused';

/** The failure type when the ticket's row does not exist; the API answers it with 404. */
export const TICKET_NOT_FOUND = 'TicketNotFound';

export interface ApplyTransitionInput {
  readonly ticketId: string;
  readonly seq: number;
  readonly request: TicketActionRequest;
  /**
   * The instant (ISO 8601) the workflow decided the action at: the activity re-checks and stamps with it,
   * so both decisions read one clock. Absent only in activities scheduled by the first lifecycle release.
   */
  readonly at?: string;
}

/** What the workflow asks of the worker's activities; implemented in libs/tickets. */
export interface TicketActivities {
  /** Records a fired rung; a second call for the same rung changes nothing. */
  recordRung(input: RecordRungInput): Promise<void>;
  /** Applies one action in one transaction and returns the ticket's new state; idempotent by `seq`. */
  applyTransition(input: ApplyTransitionInput): Promise<WorkflowTicketState>;
}

// Entry point of the workflow bundle: export every workflow the worker runs, and nothing else.
export { ticketLifecycleWorkflow } from './ticket-lifecycle.workflow';
// Rungs-only workflow of the first release; kept so tickets started with it run to their end and replay.
export { ticketWorkflow } from './first-release/ticket-workflow.v1';

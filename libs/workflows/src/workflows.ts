// Entry point of the workflow bundle: export every workflow the worker runs, and nothing else.
export { ticketWorkflow } from './ticket.workflow';

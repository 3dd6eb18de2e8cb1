import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.tokens';
import { ActionOutcome, rungLatenessSeconds } from './labels';

/** Request latency buckets (seconds): most answers take milliseconds, an Update waits on Temporal. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Rung lateness buckets (seconds): a rung should fire "within a second" of its instant. */
export const RUNG_LATENESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/**
 * The business metrics, registered on this application's registry. Both processes register them all; each
 * fills the ones it owns: the API tickets, actions, start failures and HTTP latency, the worker the rungs
 * (and the start failures of its sweeper).
 */
@Injectable()
export class HotlineMetrics {
  readonly ticketsCreated: Counter<'category' | 'priority'>;
  readonly repeatCalls: Counter<'category'>;
  readonly ticketActions: Counter<'action' | 'outcome'>;
  readonly workflowStartFailures: Counter;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly rungsFired: Counter<'level' | 'stage'>;
  readonly rungLateness: Histogram<'level'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.ticketsCreated = new Counter({
      name: 'hotline_tickets_created_total',
      help: 'New tickets created (repeat calls are counted in hotline_repeat_calls_total).',
      labelNames: ['category', 'priority'],
      registers,
    });
    this.repeatCalls = new Counter({
      name: 'hotline_repeat_calls_total',
      help: 'Calls answered as a repeat call (催办) of an existing ticket.',
      labelNames: ['category'],
      registers,
    });
    this.ticketActions = new Counter({
      name: 'hotline_ticket_actions_total',
      help: 'Ticket actions by type and outcome: applied, refused (409) or unavailable (503).',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.workflowStartFailures = new Counter({
      name: 'hotline_workflow_start_failures_total',
      help: 'Ticket workflow starts that did not go through and were left to the sweeper.',
      registers,
    });
    this.httpRequestDuration = new Histogram({
      name: 'hotline_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    });
    this.rungsFired = new Counter({
      name: 'hotline_rungs_fired_total',
      help: 'Escalation rungs fired (recorded once each) by level and stage.',
      labelNames: ['level', 'stage'],
      registers,
    });
    this.rungLateness = new Histogram({
      name: 'hotline_rung_lateness_seconds',
      help: "How long after its instant a rung was recorded (fired_at - the rung's instant).",
      labelNames: ['level'],
      buckets: RUNG_LATENESS_BUCKETS,
      registers,
    });
  }

  ticketCreated(category: string, priority: string): void {
    this.ticketsCreated.inc({ category, priority });
  }

  repeatCall(category: string): void {
    this.repeatCalls.inc({ category });
  }

  ticketAction(action: string, outcome: ActionOutcome): void {
    this.ticketActions.inc({ action, outcome });
  }

  workflowStartFailed(): void {
    this.workflowStartFailures.inc();
  }

  rungFired(level: string, stage: string, firedAt: Date, dueAt: Date | string): void {
    this.rungsFired.inc({ level, stage });
    this.rungLateness.observe({ level }, rungLatenessSeconds(firedAt, dueAt));
  }
}

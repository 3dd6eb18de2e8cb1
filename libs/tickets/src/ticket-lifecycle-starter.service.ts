import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { IsNull, LessThan, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { HotlineMetrics } from '@app/metrics';
import { TicketEntity } from '@app/persistence';
import { TemporalClient } from '@app/temporal';
import { TICKET_WORKFLOW_TYPE, ticketWorkflowId } from '@app/workflows';
import { workflowStateOf } from './ticket-lifecycle-state';

/**
 * Starts a committed ticket's workflow. The ticket row is written first, so a ticket answered 201 exists
 * even when Temporal is down; rows whose start did not go through are retried by `startPending`.
 * Starting twice is harmless: the workflow id is the ticket's, and duplicates are refused.
 */
@Injectable()
export class TicketLifecycleStarter {
  private readonly logger = new Logger(TicketLifecycleStarter.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(TicketEntity) private readonly tickets: Repository<TicketEntity>,
    private readonly temporal: TemporalClient,
    private readonly metrics: HotlineMetrics,
  ) {}

  /**
   * A ticket just created: `tryStart`, unless WORKFLOW_START_ON_CREATE=false (benchmarks only) leaves the
   * start to the worker's sweeper, so the create costs the API and PostgreSQL alone. False when not started.
   */
  async startCreated(ticket: TicketEntity): Promise<boolean> {
    if (this.config.startWorkflowOnCreate === false) return false;
    return this.tryStart(ticket);
  }

  /** Tries once, within `timeoutMs`; false (and a log line) when Temporal cannot be reached. */
  async tryStart(ticket: TicketEntity, timeoutMs = 3000): Promise<boolean> {
    try {
      await this.start(ticket, timeoutMs);
      return true;
    } catch (error) {
      this.metrics.workflowStartFailed();
      this.logger.warn(`Workflow of ticket ${ticket.number} not started yet (will retry): ${(error as Error).message}`);
      return false;
    }
  }

  async start(ticket: TicketEntity, timeoutMs = 3000): Promise<void> {
    const state = workflowStateOf(ticket);
    const connection = this.temporal.connection;
    try {
      await connection.withDeadline(Date.now() + timeoutMs, () =>
        this.temporal.workflow.start(TICKET_WORKFLOW_TYPE, {
          taskQueue: this.config.temporal.taskQueue,
          workflowId: ticketWorkflowId(ticket.id),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [{ state }],
        }),
      );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    // Raw SQL: a technical marker, not a change of the ticket, so updated_at stays as it was.
    await this.tickets.query('UPDATE tickets SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL', [
      ticket.id,
    ]);
  }

  /** Starts the workflows of tickets committed more than `graceMs` ago whose start did not go through. */
  async startPending(graceMs: number, batchSize = 100): Promise<number> {
    const pending = await this.tickets.find({
      where: { workflowStartedAt: IsNull(), createdAt: LessThan(new Date(Date.now() - graceMs)) },
      order: { createdAt: 'ASC' },
      take: batchSize,
    });
    let started = 0;
    for (const ticket of pending) {
      if (!(await this.tryStart(ticket))) break; // Temporal is still down: try the rest next sweep.
      started++;
    }
    if (started > 0) this.logger.log(`Started ${started} pending ticket workflow(s)`);
    return started;
  }
}

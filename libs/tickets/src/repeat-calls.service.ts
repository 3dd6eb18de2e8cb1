import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, SelectQueryBuilder } from 'typeorm';
import { addressKey, earliestReopenableClose, priorityAfterRepeatCall } from '@app/domain';
import type { AuthenticatedUser, Category } from '@app/domain';
import { OPEN_TICKET_SQL, RepeatCallEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { TemporalClient } from '@app/temporal';
import { syncCurrentDispatch } from './ticket-dispatches';
import { TicketLifecycleGateway } from './ticket-lifecycle.gateway';

/** What identifies a caller's complaint: the same phone, folded address and category. */
export interface CallerComplaint {
  readonly citizenPhone: string;
  readonly address: string;
  readonly category: Category;
}

/**
 * The query of the rule (the one place it is written): the caller's ticket a call received at `receivedAt`
 * counts against, the same phone, folded address and category, open or closed less than 7 days before;
 * the newest when several match. Unlocked: recordIfRepeat locks it, GET /intake only reads it.
 */
export function repeatCallMatch(manager: EntityManager, complaint: CallerComplaint, receivedAt: Date): SelectQueryBuilder<TicketEntity> {
  return manager
    .createQueryBuilder(TicketEntity, 't')
    .where('t.citizen_phone = :phone AND t.category = :category AND t.address_key = :key', {
      phone: complaint.citizenPhone,
      category: complaint.category,
      key: addressKey(complaint.address),
    })
    .andWhere(`(${OPEN_TICKET_SQL('t')} OR (t.status = 'CLOSED' AND t.closed_at > :reopenableSince))`, {
      reopenableSince: earliestReopenableClose(receivedAt.getTime()),
    })
    .orderBy('t.created_at', 'DESC')
    .limit(1);
}

/**
 * 重复来电 (催办): a call matching an open ticket, or one closed less than 7 days before the call, is
 * recorded against that ticket and never makes a second one. It is counted (repeatCount + 1, a REPEAT_CALL
 * event) in the caller's transaction; one that found the ticket closed is then delivered to the ticket's
 * workflow, which reopens it (重办). Delivery is retried by the worker's sweeper until it goes through, and
 * decided at the instant the call came in, however late it arrives.
 */
@Injectable()
export class RepeatCalls {
  private readonly logger = new Logger(RepeatCalls.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalClient,
    private readonly workflows: TicketLifecycleGateway,
  ) {}

  /**
   * Records the call against the caller's matching ticket, locked for the rest of `manager`'s transaction;
   * undefined when no ticket matches (the caller then makes a new one).
   */
  async recordIfRepeat(
    manager: EntityManager,
    complaint: CallerComplaint,
    user: AuthenticatedUser,
    receivedAt: Date,
  ): Promise<{ ticket: TicketEntity; call: RepeatCallEntity } | undefined> {
    const ticket = await repeatCallMatch(manager, complaint, receivedAt).setLock('pessimistic_write').getOne();
    if (!ticket) return undefined;

    // A closed ticket reopens, and the second call on an open one raises its priority: both through its workflow.
    const raisesPriorityTo = ticket.status === 'CLOSED' ? null : priorityAfterRepeatCall(ticket.priority, ticket.repeatCount + 1);
    const needsDelivery = ticket.status === 'CLOSED' || raisesPriorityTo !== null;
    await manager.increment(TicketEntity, { id: ticket.id }, 'repeatCount', 1);
    await syncCurrentDispatch(manager, ticket.id, { repeatCall: true });
    const call = await manager.save(
      manager.create(RepeatCallEntity, {
        ticketId: ticket.id,
        receivedAt,
        actor: user.username,
        role: user.role,
        needsDelivery,
        raisesPriorityTo,
        deliveredAt: needsDelivery ? null : receivedAt,
        outcome: null,
      }),
    );
    await manager.insert(TicketEventEntity, {
      ticketId: ticket.id,
      type: 'REPEAT_CALL',
      actor: user.username,
      role: user.role,
      payload: { repeatCallId: call.id, status: ticket.status, reopens: ticket.status === 'CLOSED', ...(raisesPriorityTo ? { raisesPriorityTo } : {}) },
      at: receivedAt,
    });
    return { ticket: await manager.findOneByOrFail(TicketEntity, { id: ticket.id }), call };
  }

  /**
   * Delivers a recorded call to its ticket's workflow, once, within `timeoutMs`. True when it went through or
   * was settled for good (the workflow refused it or had ended: recorded as the call's outcome); false when
   * Temporal could not be reached, so the sweeper tries again.
   */
  async deliver(call: RepeatCallEntity, timeoutMs = 3000): Promise<boolean> {
    const ticket = await this.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: call.ticketId });
    try {
      await this.temporal.connection.withDeadline(Date.now() + timeoutMs, () =>
        this.workflows.apply(
          ticket,
          { action: 'repeat-call', repeatCallId: call.id, receivedAt: call.receivedAt.toISOString(), ...(call.raisesPriorityTo ? { raisesPriorityTo: call.raisesPriorityTo } : {}) },
          { username: call.actor, role: call.role as AuthenticatedUser['role'] },
        ),
      );
      return true;
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : undefined;
      if (status === HttpStatus.CONFLICT || status === HttpStatus.NOT_FOUND) {
        const outcome = `not reopened: ${(error as Error).message}`;
        await this.dataSource.getRepository(RepeatCallEntity).update({ id: call.id, deliveredAt: IsNull() }, { deliveredAt: new Date(), outcome });
        this.logger.error(`Repeat call ${call.id} on ticket ${ticket.number} ${outcome}`);
        return true;
      }
      this.logger.warn(`Repeat call ${call.id} on ticket ${ticket.number} not delivered yet (will retry): ${(error as Error).message}`);
      return false;
    }
  }

  /** Delivers the calls still waiting (oldest first) whose ticket's workflow has started. */
  async deliverPending(batchSize = 100): Promise<number> {
    const pending = await this.dataSource
      .getRepository(RepeatCallEntity)
      .createQueryBuilder('r')
      .innerJoin(TicketEntity, 't', 't.id = r.ticket_id AND t.workflow_started_at IS NOT NULL')
      .where('r.needs_delivery AND r.delivered_at IS NULL')
      .orderBy('r.received_at', 'ASC')
      .limit(batchSize)
      .getMany();
    let delivered = 0;
    for (const call of pending) {
      if (!(await this.deliver(call))) break; // Temporal is still down: the rest next sweep
      delivered++;
    }
    if (delivered > 0) this.logger.log(`Delivered ${delivered} pending repeat call(s)`);
    return delivered;
  }
}

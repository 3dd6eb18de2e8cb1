import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { COMPANY_STAGES, ESCALATION_LEVELS, planTransition, publicNoticeText, TransitionPlan, TransitionRefusedError } from '@app/domain';
import type { District, Priority, SlaPolicySnapshot } from '@app/domain';
import { HotlineMetrics } from '@app/metrics';
import { NoticeEntity, RepeatCallEntity, SlaPolicyEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { toPolicySnapshot, WorkCalendarService } from '@app/sla';
import { TICKET_NOT_FOUND, TRANSITION_REFUSED } from '@app/workflows';
import type { ApplyTransitionInput, RecordRungInput, TicketActivities, WorkflowTicketState } from '@app/workflows';
import { dispatchChangeOf, openDispatch, syncCurrentDispatch } from './ticket-dispatches';
import { applyTransitionPlan, eventTypeOf, raisePriority, startFreshDispatch } from './ticket-transitions';
import { lifecycleStateOf, workflowStateOf } from './ticket-lifecycle-state';

/**
 * The ticket workflow's activities: all its I/O. Each is idempotent, because Temporal runs an activity
 * at least once; the database's unique keys turn a repeat into a no-op.
 */
@Injectable()
export class TicketActivitiesService implements TicketActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendars: WorkCalendarService,
    /** Optional so the activities can be built by hand (integration tests) without a metrics registry. */
    @Optional() private readonly metrics?: HotlineMetrics,
  ) {}

  async applyTransition({ ticketId, seq, request, at }: ApplyTransitionInput): Promise<WorkflowTicketState> {
    const calendar = await this.calendars.load();
    return this.dataSource.transaction(async (manager) => {
      const ticket = await manager.findOne(TicketEntity, { where: { id: ticketId }, lock: { mode: 'pessimistic_write' } });
      if (!ticket) throw ApplicationFailure.nonRetryable(`ticket ${ticketId} does not exist`, TICKET_NOT_FOUND);
      // Applied by an earlier attempt whose completion was lost: answer with the state it left.
      if (ticket.transitionSeq >= seq) return workflowStateOf(ticket);

      // The workflow's decision instant; only an activity scheduled by the first lifecycle release lacks one.
      const now = at ? new Date(at) : new Date();
      const from = ticket.status;
      let plan: TransitionPlan;
      try {
        plan = planTransition(lifecycleStateOf(ticket), request.input, now.getTime(), ticket.indoorStandard);
      } catch (error) {
        if (error instanceof TransitionRefusedError) throw ApplicationFailure.nonRetryable(error.message, TRANSITION_REFUSED);
        throw error;
      }
      const { held, pausedMs } = applyTransitionPlan(ticket, plan, request.input, request.actor, now, calendar);
      const priorityBefore = ticket.priority;
      // The pause this ended, as it was left: a fresh dispatch below drops the ticket's pause.
      const endedPause = plan.endsPause ? ticket.pause : null;
      if (plan.raisesPriority) raisePriority(ticket, await this.newestPolicy(manager, plan.raisesPriority), now, calendar);
      ticket.transitionSeq = seq;
      await manager.save(ticket);
      // The dispatch that was current records what this did to it (and how it ended) before a fresh one starts.
      await syncCurrentDispatch(manager, ticketId, { ...dispatchChangeOf(plan, request.input, ticket, now), pausedMs: plan.endsPause ? pausedMs : undefined });
      const pausedStageDue = endedPause ? ticket.stages[endedPause.stage]?.dueAt : undefined;
      if (plan.freshDispatch) {
        startFreshDispatch(ticket, plan, now, calendar);
        await manager.save(ticket);
        await openDispatch(manager, ticket, plan.freshDispatch === 'reassign' ? 'REASSIGNED' : 'REOPENED');
      }
      const { action: _action, ...details } = request.input;
      // A recorded repeat call has its REPEAT_CALL event already; its delivery is audited when it reopens the
      // ticket or raises its priority.
      const delivery = request.input.action === 'repeat-call' && request.input.repeatCallId;
      if (!delivery || plan.freshDispatch || plan.raisesPriority) {
        await manager.insert(TicketEventEntity, {
          ticketId,
          type: !delivery ? eventTypeOf(request.input) : plan.freshDispatch ? 'REOPEN' : 'RAISE_PRIORITY',
          actor: request.actor.username,
          role: request.actor.role,
          payload: {
            ...details,
            from,
            to: ticket.status,
            ...(plan.freshDispatch ? { dispatchedAt: now.toISOString() } : {}),
            ...(plan.raisesPriority
              ? { priority: plan.raisesPriority, fromPriority: priorityBefore, policyVersion: ticket.policyVersion, deadlines: dueAtByStage(ticket), ...(delivery ? { reason: '第二次重复来电（催办）' } : {}) }
              : {}),
            // An approval states the deadline it set; later stages held back by a moved deadline say so.
            ...(request.input.action === 'extension-approve' && ticket.extension ? { stage: ticket.extension.stage, dueAt: ticket.stages[ticket.extension.stage]?.dueAt } : {}),
            ...(held.length > 0 ? { held } : {}),
            // A callback says which attempt it was and what it came to (未联系上 after the last); a review its decision.
            ...(request.input.action === 'callback' ? { attempt: ticket.callbackAttempts, outcome: plan.callbackOutcome ?? 'ATTEMPT' } : {}),
            ...(plan.review ? { review: plan.review } : {}),
            // A pause says what it did to the clock: the cap it runs to, or how long it stood still and the moved deadline.
            ...(request.input.action === 'pause-approve' && ticket.pause ? { stage: ticket.pause.stage, endsBy: ticket.pause.endsBy } : {}),
            ...(endedPause ? { pause: { stage: endedPause.stage, pausedMs: endedPause.pausedMs, endedAtCap: endedPause.endedAtCap, dueAt: pausedStageDue } } : {}),
            ...(plan.withdrawsPause ? { pauseWithdrawn: true } : {}),
            ...(plan.freshDispatch ? { returnAllowedUntil: ticket.returnAllowedUntil?.toISOString(), designated: ticket.designated } : {}),
          },
          at: now,
        });
      }
      if (delivery) {
        await manager.update(RepeatCallEntity, { id: delivery, deliveredAt: IsNull() }, { deliveredAt: new Date() });
      }
      return workflowStateOf(ticket);
    });
  }

  /** The policy a ticket raised to `priority` takes: that priority's newest version. */
  private async newestPolicy(manager: EntityManager, priority: Priority): Promise<SlaPolicySnapshot> {
    const [newest] = await manager.find(SlaPolicyEntity, { where: { priority }, order: { version: 'DESC' }, take: 1 });
    return toPolicySnapshot(newest);
  }

  /**
   * One statement (RECORD_RUNG_STATEMENT): the escalation, whose unique key makes a repeat a no-op, and only when it
   * was inserted the ticket's level and overdue stage, the current dispatch's copy of them and the audit event.
   * A statement is all or nothing on its own, so outside a PUBLIC_NOTICE no BEGIN/COMMIT is sent; a
   * PUBLIC_NOTICE adds its notice in the same transaction. One round trip (four for a notice), was six (nine).
   */
  async recordRung(input: RecordRungInput): Promise<void> {
    const params = [
      input.ticketId,
      input.dispatchedAt,
      input.stage,
      input.level,
      input.dueAt,
      ESCALATION_LEVELS,
      COMPANY_STAGES,
      { stage: input.stage, level: input.level, dueAt: input.dueAt, dispatchedAt: input.dispatchedAt },
    ];
    const fired =
      input.level === 'PUBLIC_NOTICE'
        ? await this.dataSource.transaction(async (manager) => {
            const [row]: FiredRung[] = await manager.query(RECORD_RUNG_STATEMENT, params);
            if (row) await this.publishNotice(manager, input, row);
            return row;
          })
        : ((await this.dataSource.query(RECORD_RUNG_STATEMENT, params)) as FiredRung[])[0];
    // Counted after the commit, and only when this attempt inserted the rung (not on a retried duplicate).
    if (fired) this.metrics?.rungFired(input.level, input.stage, fired.fired_at, input.dueAt);
  }

  /** 通报批评: how late is measured from the stage deadline (the OVERDUE instant), not from this rung. */
  private async publishNotice(manager: EntityManager, input: RecordRungInput, fired: FiredRung): Promise<void> {
    const deadline = fired.deadline ?? input.dueAt;
    const overdueMs = Math.max(0, fired.fired_at.getTime() - Date.parse(deadline));
    await manager.insert(NoticeEntity, {
      escalationId: fired.id,
      companyId: fired.company_id,
      companyName: fired.company_name,
      ticketNumber: fired.number,
      district: fired.district,
      stage: input.stage,
      overdueBySeconds: Math.round(overdueMs / 1000),
      text: publicNoticeText({ companyName: fired.company_name, ticketNumber: fired.number, district: fired.district, stage: input.stage, overdueMs }),
      publishedAt: fired.fired_at,
    });
  }
}

/** What RECORD_RUNG_STATEMENT answers when it inserted the rung (nothing when the rung was recorded before). */
interface FiredRung {
  readonly id: string;
  readonly fired_at: Date;
  readonly number: string;
  readonly district: District;
  readonly company_id: string;
  readonly company_name: string;
  /** The stage's deadline as the ticket holds it (ISO 8601). */
  readonly deadline: string | null;
}

/**
 * A fired rung in one statement. $1 ticket, $2 dispatch instant, $3 stage, $4 level, $5 the rung's instant,
 * $6 the levels in ladder order, $7 the stages a company answers for (only those raise its level: the
 * hotline's callback does not count against it), $8 the audit event's payload. Every part after `fired`
 * reads its rows, so a rung already recorded (the insert did nothing) changes nothing; the dispatch copies
 * the ticket's row as `ticket` left it (a statement's parts do not see each other's writes otherwise).
 */
const RECORD_RUNG_STATEMENT = `
  WITH fired AS (
    INSERT INTO escalations (ticket_id, ticket_number, company_id, dispatched_at, stage, level, due_at, fired_at)
    SELECT id, number, company_id, $2, $3, $4, $5, now() FROM tickets WHERE id = $1
    ON CONFLICT ON CONSTRAINT uq_escalations_rung DO NOTHING
    RETURNING id, ticket_id, fired_at
  ), ticket AS (
    UPDATE tickets t
       SET escalation_level = CASE
             WHEN $3 = ANY ($7::text[]) AND array_position($6::text[], $4::text) > array_position($6::text[], t.escalation_level) THEN $4
             ELSE t.escalation_level END,
           stages = CASE
             WHEN $4 = 'OVERDUE' AND t.stages ? $3 THEN jsonb_set(t.stages, ARRAY[$3::text, 'overdue'], 'true'::jsonb)
             ELSE t.stages END,
           updated_at = now()
      FROM fired
     WHERE t.id = fired.ticket_id
    RETURNING t.id, t.number, t.district, t.company_id, t.dispatched_at, t.stages, t.extension, t.escalation_level
  ), dispatch AS (
    UPDATE ticket_dispatches d
       SET stages = ticket.stages, extension = ticket.extension, escalation_level = ticket.escalation_level
      FROM ticket
     WHERE d.ticket_id = ticket.id AND d.dispatched_at = ticket.dispatched_at
  ), event AS (
    INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at)
    SELECT fired.ticket_id, 'ESCALATION_' || $4, 'system', 'system', $8::jsonb, fired.fired_at FROM fired
  )
  SELECT fired.id, fired.fired_at, ticket.number, ticket.district, ticket.company_id, c.name AS company_name,
         ticket.stages -> $3::text ->> 'dueAt' AS deadline
    FROM fired CROSS JOIN ticket JOIN companies c ON c.id = ticket.company_id`;

/** The deadline of each stage, for the audit trail of a change that moves them. */
function dueAtByStage(ticket: TicketEntity): Record<string, string> {
  return Object.fromEntries(Object.entries(ticket.stages).map(([stage, state]) => [stage, state.dueAt]));
}

import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type {
  CallbackRecord,
  Category,
  Channel,
  District,
  EscalationLevel,
  ExtensionState,
  IndoorStandardSnapshot,
  PauseState,
  Priority,
  RefundExclusion,
  ReviewState,
  RungLevel,
  SlaPolicySnapshot,
  Stage,
  StoredReading,
  TicketStatus,
} from '@app/domain';

export interface StageState {
  /** Start of the stage's window (dispatch, or the failed reading for remediate). */
  startsAt: string;
  dueAt: string;
  doneAt: string | null;
  /** Set once the OVERDUE rung fired; stays true even when the stage is done later. */
  overdue: boolean;
  /**
   * Each rung's instant, fixed when the stage's deadline was set (dispatch, failed reading, approved
   * extension, reply for the callback): a later calendar change moves no rung of a ticket in flight. The callback
   * stage has only DUE_SOON and OVERDUE (`rungLevelsOf`).
   */
  rungs: Partial<Record<RungLevel, string>>;
  /** How long the stage's one approved pause stopped its clock (ms); absent: never paused in this dispatch. */
  pausedMs?: number;
}

/** Why the crew recorded that no refund is due (domain.md §3), with its evidence. */
export interface RefundExclusionRecord {
  readonly exclusion: RefundExclusion;
  readonly note: string;
  readonly at: string;
  readonly by: string;
}

export type TicketStages = Partial<Record<Stage, StageState>>;

@Entity({ name: 'tickets' })
export class TicketEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text', unique: true })
  number: string;

  @Column({ type: 'text' })
  status: TicketStatus;

  @Column({ type: 'text' })
  category: Category;

  @Column({ type: 'text' })
  priority: Priority;

  @Column({ type: 'text' })
  channel: Channel;

  @Column({ type: 'text' })
  district: District;

  @Column({ type: 'text' })
  address: string;

  /** Address folded for repeat-call matching (width, case, spaces, punctuation). */
  @Column({ name: 'address_key', type: 'text' })
  addressKey: string;

  /** The community (小区) and building the address names, for hot spots (`addressPlace`); null when it names none. */
  @Column({ name: 'community_key', type: 'text', nullable: true })
  communityKey: string | null;

  @Column({ name: 'building_key', type: 'text', nullable: true })
  buildingKey: string | null;

  @Column({ name: 'citizen_name', type: 'text' })
  citizenName: string;

  @Column({ name: 'citizen_phone', type: 'text' })
  citizenPhone: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'company_id', type: 'uuid' })
  companyId: string;

  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt: Date;

  @Column({ name: 'dispatch_count', type: 'int', default: 1 })
  dispatchCount: number;

  @Column({ name: 'reopen_count', type: 'int', default: 0 })
  reopenCount: number;

  @Column({ name: 'repeat_count', type: 'int', default: 0 })
  repeatCount: number;

  @Column({ name: 'policy_version', type: 'int' })
  policyVersion: number;

  /** The policy as it was at creation: tickets in flight keep their limits when a policy changes. */
  @Column({ name: 'policy', type: 'jsonb' })
  policy: SlaPolicySnapshot;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  stages: TicketStages;

  @Column({ name: 'escalation_level', type: 'text', default: 'NONE' })
  escalationLevel: EscalationLevel;

  /** Until when the current dispatch's company may return the ticket (退单), fixed at the dispatch. */
  @Column({ name: 'return_allowed_until', type: 'timestamptz', nullable: true })
  returnAllowedUntil: Date | null;

  /** 指定承办: the company of this dispatch can no longer return it. */
  @Column({ type: 'boolean', default: false })
  designated: boolean;

  /** The latest extension request and its decision. */
  @Column({ type: 'jsonb', nullable: true })
  extension: ExtensionState | null;

  @Column({ name: 'approved_extensions', type: 'int', default: 0 })
  approvedExtensions: number;

  /** Where a rejected return request sends the ticket back to. */
  @Column({ name: 'status_before_return', type: 'text', nullable: true })
  statusBeforeReturn: TicketStatus | null;

  /** Every reading of every visit: room, room type, method, who measured, when (domain.md §3). */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  readings: StoredReading[];

  /** The indoor temperature standard as it was at creation (its version): the ticket is judged by it (default: version 1, for older writers). */
  @Column({ name: 'indoor_standard', type: 'jsonb' })
  indoorStandard: IndoorStandardSnapshot;

  /** The latest pause request of the current dispatch and what came of it. */
  @Column({ type: 'jsonb', nullable: true })
  pause: PauseState | null;

  @Column({ name: 'refund_exclusion', type: 'jsonb', nullable: true })
  refundExclusion: RefundExclusionRecord | null;

  /** The crew's reply (办理回复). */
  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Column({ type: 'jsonb', nullable: true })
  callback: CallbackRecord | null;

  /** Callbacks of the current reply that did not reach the citizen (未联系上 after the policy's `callbackAttempts`). */
  @Column({ name: 'callback_attempts', type: 'int', default: 0 })
  callbackAttempts: number;

  /** The supervisor review of a 不满意 for objective reasons (domain.md §2.5), pending or decided. */
  @Column({ type: 'jsonb', nullable: true })
  review: ReviewState | null;

  /** Transitions applied by the ticket's workflow; makes a retried transition activity a no-op. */
  @Column({ name: 'transition_seq', type: 'int', default: 0 })
  transitionSeq: number;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  /** Set once Temporal accepted the workflow start; null rows are retried by the start sweeper. */
  @Column({ name: 'workflow_started_at', type: 'timestamptz', nullable: true })
  workflowStartedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}

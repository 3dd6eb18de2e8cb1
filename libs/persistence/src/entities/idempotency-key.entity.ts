import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The problem details an action's key answers again with: a refusal names the rule, never caller data. */
export interface StoredProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: ReadonlyArray<{ readonly field: string; readonly message: string }>;
}

/**
 * The first answer to a request carrying an Idempotency-Key, per caller: a create (which ticket and which
 * status) or a ticket action (its ticket, and once its workflow Update answered, the status and any
 * refusal). The body is built again for each retry, so no citizen's data is kept here.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'text' })
  actor: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  /** `create`, or the action's name (`accept`, `extension-approve`, …): one key is one intended operation. */
  @Column({ type: 'text' })
  scope: string;

  /** SHA-256 of the request (a create's body; an action's ticket, name and input): the same key with another is refused. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  /** Null only for an action whose Update has not answered yet (a retry attaches to that Update). */
  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode: number | null;

  /** An action's refusal (4xx), answered again to a retry; null otherwise. */
  @Column({ type: 'jsonb', nullable: true })
  problem: StoredProblem | null;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

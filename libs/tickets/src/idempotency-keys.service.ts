import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, IsNull, Repository } from 'typeorm';
import type { ActionInput } from '@app/domain';
import { ProblemException } from '@app/http';
import { IdempotencyKeyEntity, StoredProblem } from '@app/persistence';

/** The scope of a create's key; an action's key has the action's name as its scope. */
export const CREATE_SCOPE = 'create';

/** A create carrying an `Idempotency-Key`: per caller, with a hash of the body it came with. */
export interface IdempotencyRequest {
  readonly actor: string;
  readonly key: string;
  readonly requestHash: string;
}

/** What the first request with a key answered: which ticket, with which status. */
export interface StoredAnswer {
  readonly ticketId: string;
  readonly statusCode: 200 | 201;
}

/** A ticket action carrying an `Idempotency-Key`: the hash covers the ticket, the action and its input. */
export interface ActionKeyRequest extends IdempotencyRequest {
  readonly scope: string;
  readonly ticketId: string;
}

/** How an action's workflow Update answered: 200 applied, or a refusal (409, 404) with its problem details. */
export interface ActionAnswer {
  readonly statusCode: number;
  readonly problem: StoredProblem | null;
}

/** An action's key as stored: `answer` is absent while its Update has not answered (or its answer was lost). */
export interface ActionClaim {
  readonly answer?: ActionAnswer;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function idempotencyRequest(actor: string, key: string, body: unknown): IdempotencyRequest {
  return { actor, key, requestHash: sha256(JSON.stringify(body)) };
}

export function actionKeyRequest(actor: string, key: string, ticketId: string, input: ActionInput): ActionKeyRequest {
  return { actor, key, scope: input.action, ticketId, requestHash: sha256(JSON.stringify({ ticketId, input })) };
}

/**
 * The Temporal Update id of an action sent with `key` by `actor`: every retry with the key sends the same
 * id, so the workflow applies the action once and a retry gets that Update's outcome.
 */
export function actionUpdateId(actor: string, key: string): string {
  return `action:${actor}:${sha256(key)}`;
}

/** A concurrent request with the same key committed first; this one must roll back and answer with that. */
export class IdempotencyRaceLost extends Error {}

function reused(key: string): ProblemException {
  return new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Idempotency-Key "${key}" was already used with a different request`, {
    title: 'Idempotency key reused',
  });
}

@Injectable()
export class IdempotencyKeys {
  constructor(@InjectRepository(IdempotencyKeyEntity) private readonly keys: Repository<IdempotencyKeyEntity>) {}

  /** The first answer to this key, if any; 422 when the key came with another body (or with an action). */
  async stored({ actor, key, requestHash }: IdempotencyRequest): Promise<StoredAnswer | undefined> {
    const stored = await this.keys.findOneBy({ actor, key });
    if (!stored) return undefined;
    if (stored.scope !== CREATE_SCOPE || stored.requestHash !== requestHash) throw reused(key);
    return { ticketId: stored.ticketId, statusCode: stored.statusCode as StoredAnswer['statusCode'] };
  }

  /**
   * Claims the key for `answer` inside the caller's transaction. A concurrent request with the same key
   * waits on the key's row and then finds it taken: it throws IdempotencyRaceLost, so its transaction rolls back.
   */
  async claim(manager: EntityManager, request: IdempotencyRequest, answer: StoredAnswer): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKeyEntity)
      .values({
        actor: request.actor,
        key: request.key,
        scope: CREATE_SCOPE,
        requestHash: request.requestHash,
        ticketId: answer.ticketId,
        statusCode: answer.statusCode,
      })
      .orIgnore()
      .returning(['key'])
      .execute();
    if ((result.raw as unknown[]).length === 0) throw new IdempotencyRaceLost();
  }

  /** An action's key as stored, if it is; 422 when the key came with another ticket, action or body (or a create). */
  async storedAction({ actor, key, scope, requestHash }: ActionKeyRequest): Promise<ActionClaim | undefined> {
    const stored = await this.keys.findOneBy({ actor, key });
    if (!stored) return undefined;
    if (stored.scope !== scope || stored.requestHash !== requestHash) throw reused(key);
    return stored.statusCode === null ? {} : { answer: { statusCode: stored.statusCode, problem: stored.problem } };
  }

  /**
   * Claims the key for an action about to be sent to its workflow, before it is sent: false when a
   * concurrent request with the key claimed it first (the unique key decides; the insert waits on it).
   */
  async claimAction(request: ActionKeyRequest): Promise<boolean> {
    const result = await this.keys
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKeyEntity)
      .values({ actor: request.actor, key: request.key, scope: request.scope, requestHash: request.requestHash, ticketId: request.ticketId, statusCode: null, problem: null })
      .orIgnore()
      .returning(['key'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /**
   * Records how the action's Update answered, unless a concurrent request with the key recorded it first:
   * the recorded answer is returned either way (`first` when it is this one), so every retry says the same.
   */
  async settleAction(request: ActionKeyRequest, answer: ActionAnswer): Promise<{ answer: ActionAnswer; first: boolean }> {
    const result = await this.keys
      .createQueryBuilder()
      .update(IdempotencyKeyEntity)
      .set({ statusCode: answer.statusCode, problem: answer.problem })
      .where({ actor: request.actor, key: request.key, statusCode: IsNull() })
      .returning(['key'])
      .execute();
    if ((result.raw as unknown[]).length > 0) return { answer, first: true };
    const stored = await this.storedAction(request);
    return { answer: stored?.answer ?? answer, first: false };
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { ProblemException } from '@app/http';
import { IdempotencyKeyEntity } from '@app/persistence';

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

export function idempotencyRequest(actor: string, key: string, body: unknown): IdempotencyRequest {
  return { actor, key, requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

/** A concurrent request with the same key committed first; this one must roll back and answer with that. */
export class IdempotencyRaceLost extends Error {}

@Injectable()
export class IdempotencyKeys {
  constructor(@InjectRepository(IdempotencyKeyEntity) private readonly keys: Repository<IdempotencyKeyEntity>) {}

  /** The first answer to this key, if any; 422 when the key came with another body. */
  async stored({ actor, key, requestHash }: IdempotencyRequest): Promise<StoredAnswer | undefined> {
    const stored = await this.keys.findOneBy({ actor, key });
    if (!stored) return undefined;
    if (stored.requestHash !== requestHash) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `Idempotency-Key "${key}" was already used with a different request`, {
        title: 'Idempotency key reused',
      });
    }
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
      .values({ actor: request.actor, key: request.key, requestHash: request.requestHash, ticketId: answer.ticketId, statusCode: answer.statusCode })
      .orIgnore()
      .returning(['key'])
      .execute();
    if ((result.raw as unknown[]).length === 0) throw new IdempotencyRaceLost();
  }
}

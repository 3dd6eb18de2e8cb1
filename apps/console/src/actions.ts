import type { TicketAction } from '@app/domain';
import { computed, ref } from 'vue';
import { api, ApiError, must, newIdempotencyKey } from './api/client';
import type { Ticket } from './ticket-rules';

/** The API path of an action under /tickets/{id}/, where it is not the action's own name. */
const PATHS: Partial<Record<TicketAction, string>> = {
  'extension-approve': 'extension/approve',
  'extension-reject': 'extension/reject',
  'pause-approve': 'pause/approve',
  'pause-reject': 'pause/reject',
  'review-confirm': 'review/confirm',
  'review-reopen': 'review/reopen',
};

/**
 * Sends ticket actions with an Idempotency-Key: one key per intended action (ticket and action), kept
 * across retries until the server answered, so a retry after a dropped connection is not applied twice.
 */
export function useTicketAction() {
  const keys = new Map<string, string>();
  /** The intended action being sent (`ticketId:action`), if any. */
  const pending = ref<string | null>(null);

  /** Sends the action and answers the ticket as it is now; throws the refusal (an ApiError) or the dropped connection. */
  async function send(ticketId: string, action: TicketAction, body: Record<string, unknown>): Promise<Ticket> {
    const intent = `${ticketId}:${action}`;
    const key = keys.get(intent) ?? newIdempotencyKey();
    keys.set(intent, key);
    pending.value = intent;
    try {
      const path = `/tickets/{id}/${PATHS[action] ?? action}` as '/tickets/{id}/accept';
      const updated = await must(api.POST(path, { params: { path: { id: ticketId }, header: { 'Idempotency-Key': key } } as never, body: body as never }));
      keys.delete(intent);
      return updated;
    } catch (failure) {
      // An answer (a refusal): the next press is a new intent. No answer: the retry sends the same key.
      if (failure instanceof ApiError) keys.delete(intent);
      throw failure;
    } finally {
      pending.value = null;
    }
  }

  return {
    send,
    /** Whether any action is being sent. */
    busy: computed(() => pending.value !== null),
    /** Whether this action on this ticket is being sent (its button shows it). */
    sending: (ticketId: string, action: TicketAction): boolean => pending.value === `${ticketId}:${action}`,
  };
}

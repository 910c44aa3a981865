import type { DecisionRequest, InboxItem } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { inboxChanged } from '../shell/use-inbox-count';

/** Someone else answered first: what they did, as the runner now keeps it. */
export interface TakenBy {
  item: InboxItem;
  /** The decided record, when it could be read back; else the runner's sentence says who. */
  decided: InboxItem | undefined;
  message: string;
}

/**
 * Sends a person's answer. Resolves to `undefined` when it was taken, or to who answered first
 * (a 409 `already_decided`, read back so the page can say who and when); any other refusal
 * (an answer that does not match the question's form, the runner unreachable) is thrown.
 */
export async function answerWait(api: ApiClient, item: InboxItem, body: DecisionRequest): Promise<TakenBy | undefined> {
  try {
    await api.decideApproval(item.id, body);
    inboxChanged();
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    inboxChanged();
    const decided = await api
      .listInbox({ runId: item.runId, status: 'any' })
      .then((page) => page.items.find((i) => i.id === item.id && i.status !== 'pending'))
      .catch(() => undefined);
    return { item, decided, message: error.message };
  }
}

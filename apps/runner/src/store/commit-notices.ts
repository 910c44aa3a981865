import type pg from 'pg';

/*
 * Runners sharing a PostgreSQL database tell each other which runs they committed to, with
 * NOTIFY in the commit's own transaction (delivered only once it commits): a live trace followed
 * through one runner of a run another executes is woken at once, rather than found on a poll.
 * The store stays the source of truth; a lost notice only delays a follower until its next read.
 */

/** One channel per database; the payload says which schema (several Trellis installs may share a database) and which runner. */
export const COMMITS_CHANNEL = 'trellis_commits';
/** Runs were queued for any runner to take (server/run-queue.ts); the payload is the schema. */
export const QUEUE_CHANNEL = 'trellis_queue';
/** PostgreSQL refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD = 7000;

/** The payloads announcing commits to these runs: `schema \n runner \n id,id,…`, split to fit. */
export function commitNotices(schema: string, owner: string, runIds: readonly string[]): string[] {
  const head = `${schema}\n${owner}\n`;
  const payloads: string[] = [];
  let ids: string[] = [];
  let size = head.length;
  for (const id of runIds) {
    if (ids.length && size + id.length + 1 > MAX_PAYLOAD) {
      payloads.push(head + ids.join(','));
      ids = [];
      size = head.length;
    }
    ids.push(id);
    size += id.length + 1;
  }
  if (ids.length) payloads.push(head + ids.join(','));
  return payloads;
}

/** The runs a notice names, when it is about this schema and from another runner. */
export function readNotice(payload: string | undefined, schema: string, owner: string): string[] {
  const [noticeSchema, noticeOwner, ids] = (payload ?? '').split('\n');
  if (noticeSchema !== schema || noticeOwner === owner || !ids) return [];
  return ids.split(',');
}

export interface CommitListener {
  close(): Promise<void>;
}

/**
 * Listens on its own connection for other runners' commits in this schema (and for runs they queued). A broken connection
 * is opened again (1 s, then up to 30 s apart): followers fall back to their poll meanwhile.
 */
export function listenForCommits(options: {
  client: () => pg.Client;
  schema: string;
  owner: string;
  onRuns: (runIds: string[]) => void;
  onQueued?: () => void;
  onError?: (error: Error) => void;
}): CommitListener {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 1000;
  const connect = async () => {
    if (closed) return;
    const current = options.client();
    client = current;
    const again = (error?: Error) => {
      if (error) options.onError?.(error);
      if (client !== current || closed) return;
      client = undefined;
      current.removeAllListeners();
      current.on('error', () => undefined);
      void current.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), delay);
      retry.unref();
      delay = Math.min(30_000, delay * 2);
    };
    current.on('error', again);
    current.on('end', () => again());
    current.on('notification', (message) => {
      if (message.channel === QUEUE_CHANNEL && message.payload === options.schema) options.onQueued?.();
      if (message.channel !== COMMITS_CHANNEL) return;
      const ids = readNotice(message.payload, options.schema, options.owner);
      if (ids.length) options.onRuns(ids);
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${COMMITS_CHANNEL}`);
      if (options.onQueued) await current.query(`LISTEN ${QUEUE_CHANNEL}`);
      delay = 1000;
    } catch (error) {
      again(error as Error);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}

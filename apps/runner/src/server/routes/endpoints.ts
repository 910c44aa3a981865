import type { Context } from 'hono';
import { TrellisError, errorMessage, hasEnded, type CorsSettings, type EndpointAccepted, type EndpointOutput, type EndpointRunStatus, type EndpointWait, type ErrorInfo, type RunStatus, type TestProviderStep, type Usage } from '@trellis/schema';
import type { RunSnapshot } from '../../engine/checkpoint.js';
import type { Store } from '../../store/types.js';
import type { Api, Deps } from '../deps.js';
import { readBodyText } from '../body.js';
import { notFound } from '../errors.js';
import { clientAddress } from '../keys.js';
import { checkInput, type Endpoint } from '../published.js';
import { followRun } from '../sse.js';

/** How a run started through a published flow stands when its caller is answered. */
export interface Outcome {
  runId: string;
  status: RunStatus;
  output?: unknown;
  error?: ErrorInfo;
  /** The run's own usage, when the engine's result is at hand. */
  usage?: Usage;
}

/**
 * Whether a succeeded run's answer can be told from the engine's result alone, with no read of
 * its trace: no model was called (so no step can be the test provider's), the flow starts no
 * other flow's runs (whose steps would have to be read), and the output is not null (no note).
 */
function answerableFromResult(outcome: Outcome, endpoint: Endpoint | undefined): boolean {
  return outcome.usage?.modelCalls === 0 && outcome.output !== null && outcome.output !== undefined && endpoint !== undefined && !endpoint.runsFlows;
}

/**
 * Where the caller of an endpoint answers a wait. A question (to the customer, say) is answered
 * with the same API key, under the run's own URL; an approval is a sign-off for the operators,
 * on the admin API.
 */
const answerUrlOf = (slug: string, runId: string, id: string, kind: string) =>
  kind === 'question' ? `/v1/flows/${slug}/runs/${runId}/questions/${encodeURIComponent(id)}` : `/api/approvals/${encodeURIComponent(id)}`;

/** Where the caller of a published flow follows a run of it (with the same API key). */
export const statusUrlOf = (slug: string, runId: string) => `/v1/flows/${slug}/runs/${runId}`;

/**
 * The pending waits of a run, as both endpoint routes show them: what each asks (a question with
 * its form) and where to answer it. A sub-flow's waits are the run's too: its caller answers them
 * under the run's own URL.
 */
async function pendingWaits(store: Store, slug: string, runId: string): Promise<EndpointWait[]> {
  const family = await store.runFamily(runId);
  const approvals = (await Promise.all(family.map((id) => store.listApprovals({ runId: id, status: 'pending' })))).flat();
  return approvals.map(({ id, nodeId, waitId, kind, message, payload, schema, deadline }) => ({
    id,
    nodeId,
    waitId,
    kind,
    message,
    payload,
    schema,
    deadline,
    answerUrl: answerUrlOf(slug, runId, id, kind),
  }));
}

/**
 * The steps of a run, and of its sub-flows, whose model calls the deterministic test provider
 * answered: a published answer made of them says so.
 */
function testProviderSteps(snapshots: Array<RunSnapshot | undefined>): TestProviderStep[] {
  return snapshots.flatMap((snapshot) =>
    Object.entries(snapshot?.nodes ?? {}).flatMap(([nodeId, state]) =>
      (state.models ?? [])
        .filter((m) => m.provider === 'test')
        .map((m) => ({ nodeId, model: m.requested, reason: m.testReason ?? 'the flow asks for the test provider' })),
    ),
  );
}

/**
 * When no output node of the flow ran (its output is then null), where the run ended: the steps
 * whose handle that fired has nothing wired, e.g. an approval's Rejected.
 */
function noOutputNote(snapshot: RunSnapshot | undefined): string | undefined {
  if (!snapshot) return undefined;
  const { flow } = snapshot.run;
  const top = flow.nodes.filter((n) => !n.parent);
  if (top.some((n) => n.type === 'output' && snapshot.nodes[n.id]?.status === 'succeeded')) return undefined;
  const ends = top.flatMap((n) =>
    (snapshot.nodes[n.id]?.ports ?? []).filter((handle) => !flow.edges.some((e) => e.source === n.id && e.sourceHandle === handle)).map((handle) => `"${n.id}" → ${handle}`),
  );
  return `no output node ran, so the output is null${ends.length ? `: the run ended at ${ends.join(', ')}, which has nothing wired` : ''}`;
}

/**
 * The 200 of a succeeded run: marked (body and header) when the test provider made up any of it,
 * and with a note when no output node ran. The run did succeed (it went the way the flow is
 * drawn, e.g. to a rejection), so it is not turned into an error; the note says why it is null.
 */
async function succeededBody(c: Context, store: Store, runId: string, output: unknown): Promise<EndpointOutput> {
  const family = await store.runFamily(runId);
  const snapshots = await Promise.all(family.map((id) => store.load(id)));
  const steps = testProviderSteps(snapshots);
  if (steps.length) c.header('X-Trellis-Test-Provider', [...new Set(steps.map((s) => s.nodeId))].join(', '));
  const note = output === null || output === undefined ? noOutputNote(snapshots[family.indexOf(runId)]) : undefined;
  return { runId, status: 'succeeded', output: output ?? null, ...(steps.length ? { testProvider: steps } : {}), ...(note ? { note } : {}) };
}

/**
 * The answer for a run that has not ended (waiting for a person, still running, or just queued):
 * its status URL and, while it waits, what it waits for and where to answer. One builder for the
 * published endpoint's 202 and the MCP server's tool result, so the two never drift.
 */
export async function acceptedBody(store: Store, slug: string, outcome: Outcome, finished: boolean): Promise<EndpointAccepted> {
  const waiting = outcome.status === 'waiting' ? await pendingWaits(store, slug, outcome.runId) : [];
  return {
    runId: outcome.runId,
    status: outcome.status,
    statusUrl: statusUrlOf(slug, outcome.runId),
    ...(waiting.length ? { waiting } : {}),
    ...(finished ? {} : { message: 'the run is still going; poll statusUrl' }),
  };
}

/** The run's end if it comes within `ms`, otherwise undefined (the run goes on). */
export async function settleWithin<T>(finished: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([finished, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Published flows: POST /v1/flows/{slug} runs the published version with the body as input and
 * answers with the output (sync), the events (SSE) or a status URL (async).
 */
export function endpointRoutes(app: Api, { store, service, keys, published, config }: Deps): void {
  /**
   * The endpoint behind `slug` for a caller whose key may call it. The key is checked first, so
   * no key or a wrong one gets the same 401 whether the slug is published or not; a valid key
   * gets the same 404 for an unknown slug and for one it may not call.
   */
  const endpoint = async (c: Context, slug: string): Promise<Endpoint> => {
    const found = await published.resolve(slug);
    applyCors(c, found?.published.cors ?? null);
    await keys.authenticate(c.req.header('Authorization'), slug, clientAddress(c));
    if (!found) throw notFound('published flow', slug);
    return found;
  };
  const answer = async (c: Context, slug: string, outcome: Outcome, finished: boolean, endpoint?: Endpoint) => {
    c.header('X-Trellis-Run-Id', outcome.runId);
    if (outcome.status === 'succeeded') {
      if (answerableFromResult(outcome, endpoint)) return c.json({ runId: outcome.runId, status: 'succeeded', output: outcome.output }, 200);
      return c.json(await succeededBody(c, store, outcome.runId, outcome.output), 200);
    }
    if (outcome.status === 'failed') {
      throw new TrellisError('run_failed', `the run failed: ${outcome.error?.message ?? 'unknown error'}`, { details: { runId: outcome.runId, error: outcome.error } });
    }
    if (outcome.status === 'cancelled') throw new TrellisError('run_cancelled', 'the run was cancelled', { details: { runId: outcome.runId } });
    const body = await acceptedBody(store, slug, outcome, finished);
    c.header('Location', body.statusUrl);
    return c.json(body, 202);
  };

  app.options('/v1/flows/:slug/*', (c) => preflight(c, published));
  app.options('/v1/flows/:slug', (c) => preflight(c, published));

  app.post('/v1/flows/:slug', async (c) => {
    const slug = c.req.param('slug');
    const target = await endpoint(c, slug);
    const input = checkInput(target.inputSchema, await readInput(c));
    const mode = c.req.query('mode') ?? 'sync';
    const streams = c.req.header('Accept')?.includes('text/event-stream') ?? false;
    if (mode !== 'sync' && mode !== 'async') throw new TrellisError('invalid_mode', `mode must be "sync" or "async", not "${mode}"`);
    const request = {
      input,
      version: target.published.version,
      labels: { source: 'endpoint', slug },
      // A caller streaming the events watches the text; one waiting for the output does not.
      unwatched: !streams,
    };
    // Nobody waits on this connection: the run goes to whichever runner has room (this one on SQLite).
    if (mode === 'async') return answer(c, slug, { runId: (await service.queueRun(target.published.flowId, request)).runId, status: 'queued' }, false);
    // A synchronous caller hears of the run only at its end: its record goes with its first commit.
    const { runId, finished } = await service.startRun(target.published.flowId, streams ? request : { ...request, callerWaits: true });
    if (streams) {
      c.header('X-Trellis-Run-Id', runId);
      // A stream that stops on a wait ends with the 202's body: each wait's id and answerUrl.
      const onWaiting = async () => ({ event: 'endpoint.waiting', data: await acceptedBody(store, slug, { runId, status: 'waiting' }, true) });
      return followRun(c, store, service.bus, runId, { after: 0, endOnWaiting: true, onWaiting });
    }
    const result = await settleWithin(finished, config.syncTimeoutMs);
    if (!result) return answer(c, slug, { runId, status: 'running' }, false);
    return answer(c, slug, result, true, target);
  });

  /** A run started through `slug`, for a caller whose key may call it. */
  const endpointRun = async (c: Context, slug: string, runId: string) => {
    const key = await endpoint(c, slug);
    const run = await store.getRun(runId);
    if (!run || run.labels?.slug !== slug) throw notFound(`run of "${slug}"`, runId);
    return { run, key };
  };

  // The product behind a key answers the questions its runs ask (of its customer, say), as
  // the admin API's POST /api/approvals/:id would: checked against the question's form (400
  // naming each field), one answer taken (409 already_decided for the rest).
  app.post('/v1/flows/:slug/runs/:runId/questions/:id', async (c) => {
    const { slug, runId, id } = c.req.param();
    await endpointRun(c, slug, runId);
    const question = await store.getApproval(id);
    if (!question || question.kind !== 'question' || !(await store.runFamily(runId)).includes(question.runId)) throw notFound(`question of run ${runId}`, id);
    const body = await readInput(c);
    if (!isRecord(body) || body.answer === undefined) {
      throw new TrellisError('invalid_request', 'send the answer as {"answer": …}, checked against the question\'s schema', { details: { problems: [{ path: 'answer', message: 'is required' }] } });
    }
    const by = typeof body.by === 'string' && body.by.trim() ? body.by.trim().slice(0, 200) : `endpoint ${slug}`;
    const answered = await service.decide(id, { approved: true, answer: body.answer, by });
    // Pending: the runner executing the run was handed the answer and takes it in a moment.
    return c.json({ id, runId, status: answered.status, answer: body.answer, statusUrl: statusUrlOf(slug, runId) }, answered.status === 'pending' ? 202 : 200);
  });

  app.get('/v1/flows/:slug/runs/:runId', async (c) => {
    const slug = c.req.param('slug');
    const runId = c.req.param('runId');
    const { run } = await endpointRun(c, slug, runId);
    if (run.status === 'succeeded') return c.json(await succeededBody(c, store, runId, run.output), 200);
    const waiting = run.status === 'waiting' ? await pendingWaits(store, slug, runId) : [];
    const body: EndpointRunStatus = {
      runId,
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      ...(waiting.length ? { waiting } : {}),
      finished: hasEnded(run.status),
    };
    return c.json(body, 200);
  });
}

async function readInput(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type');
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new TrellisError('unsupported_media_type', `send the input as JSON (Content-Type: application/json), not ${type}`);
  }
  const text = await readBodyText(c);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TrellisError('invalid_json', `the body is not valid JSON: ${errorMessage(error)}`);
  }
}

function allowedOrigin(c: Context, cors: CorsSettings | null): string | undefined {
  const origin = c.req.header('Origin');
  if (!origin || !cors) return undefined;
  if (cors.origins.includes('*')) return '*';
  return cors.origins.includes(origin) ? origin : undefined;
}

function applyCors(c: Context, cors: CorsSettings | null): void {
  const origin = allowedOrigin(c, cors);
  if (!origin) return;
  c.header('Access-Control-Allow-Origin', origin);
  if (origin !== '*') c.header('Vary', 'Origin');
  c.header('Access-Control-Expose-Headers', 'Location, Retry-After, X-Trellis-Run-Id, X-Trellis-Test-Provider');
}

/**
 * A CORS preflight carries no key, so it answers 204 for every slug, published or not; only an
 * origin the published flow allows gets the Access-Control headers.
 */
async function preflight(c: Context, published: Deps['published']): Promise<Response> {
  const target = await published.resolve(c.req.param('slug') ?? '');
  applyCors(c, target?.published.cors ?? null);
  if (target && allowedOrigin(c, target.published.cors)) {
    c.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept, Last-Event-ID');
    c.header('Access-Control-Max-Age', '600');
  }
  return c.body(null, 204);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

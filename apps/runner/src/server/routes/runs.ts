import { createRoute, z } from '@hono/zod-openapi';
import {
  Approval,
  ApprovalCount,
  ApprovalQuery,
  ID_PARAM_MAX,
  InboxItem,
  RUN_CHANGES_KEPT,
  RUN_CHANGE_STREAMS_MAX,
  RunChange,
  DecisionRequest,
  EVENTS_PAGE_DEFAULT,
  EventPage,
  EventQuery,
  Page,
  Run,
  RunDetail,
  RunQuery,
  StartRun,
  TrellisError,
  type Run as RunView,
  type RunSummary,
} from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import { IdParam, errorResponses, json, jsonBody } from '../schemas.js';
import { followChanges } from '../changes.js';
import { followRun, resumePoint } from '../sse.js';

/** A run as the API shows it: the stored summary plus its duration once it has one. */
export function runView(run: RunSummary): RunView {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : undefined;
  const start = Date.parse(run.startedAt ?? run.createdAt);
  return { ...run, ...(end === undefined ? {} : { durationMs: end - start }) };
}

export function runRoutes(app: Api, { store, service, log }: Deps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/flows/{id}/runs',
      tags: ['Runs'],
      summary: 'Start a run',
      description:
        "Starts a run of the latest (or the given) version and answers at once; follow it with GET /api/runs/{id}/events. An input that does not match the flow's input schema is refused (400, naming each field).",
      request: { params: IdParam, body: jsonBody(StartRun) },
      responses: { 201: json(Run, 'The run, as it was stored'), ...errorResponses(400, 404, 413, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { runId, run } = await service.startRun(id, {
        input: body.input ?? {},
        ...(body.version === undefined ? {} : { version: body.version }),
        ...(body.mocks === undefined ? {} : { mocks: body.mocks }),
        labels: { source: 'api' },
        checkInput: true,
      });
      c.header('X-Trellis-Run-Id', runId); // the request's log line names the run it started
      c.header('Location', `/api/runs/${runId}`);
      return c.json(runView(run), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/runs',
      tags: ['Runs'],
      summary: 'List runs',
      description:
        'Runs across flows, newest first (by creation time, then id). Filters combine: `flowId`, `status` (one or several, comma-separated: `waiting,failed`), ' +
        '`slug` (runs started through that published endpoint), `from` (inclusive) and `to` (exclusive) on the creation time (ISO 8601; a date alone is midnight UTC), ' +
        "`parentRunId` (a run's sub-flow runs). Pass `cursor` from the previous page, with the same filters, to get the next one: runs created meanwhile never shift a page. " +
        'A bad parameter is a 400 naming it. Follow GET /api/runs/changes to keep a page live.',
      request: { query: RunQuery },
      responses: { 200: json(Page(Run), 'A page of runs'), ...errorResponses(400) },
    }),
    async (c) => {
      // A cursor this server did not give out is the store's `invalid_cursor`; any other failure stays a 500.
      const page = await store.listRuns(c.req.valid('query'));
      return c.json({ items: page.items.map(runView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200);
    },
  );

  let changeStreams = 0;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/runs/changes',
      tags: ['Runs'],
      summary: 'Follow run status changes',
      description:
        'Server-Sent Events, across flows (or one, with `flowId`): `event: run` for each status change of a run (data: a RunChange; a new run is a change to `queued` or `running`), ' +
        '`event: ready` when the stream starts, a comment every 15 s. Reconnect with `Last-Event-ID` (or `?after=`) to get what was missed; when that is no longer kept ' +
        `(the last ${RUN_CHANGES_KEPT} changes are), or the runner restarted, the stream says \`event: reset\`: reload the list, then go on. ` +
        `Shows the runs this runner executes; at most ${RUN_CHANGE_STREAMS_MAX} streams at once (429 past that).`,
      request: { query: z.object({ flowId: z.string().max(ID_PARAM_MAX).optional(), after: z.string().max(100).optional().meta({ description: 'The id of the last change seen, for clients that cannot set Last-Event-ID' }) }) },
      responses: {
        200: { description: 'The changes', content: { 'text/event-stream': { schema: RunChange } } },
        ...errorResponses(400, 429),
      },
    }),
    (c) => {
      const { flowId, after } = c.req.valid('query');
      if (changeStreams >= RUN_CHANGE_STREAMS_MAX) {
        throw new TrellisError('rate_limited', `this runner serves ${RUN_CHANGE_STREAMS_MAX} change streams at once; try again shortly`, { retryable: true, retryAfterMs: 5000, details: { retryAfterSeconds: 5 } });
      }
      changeStreams++;
      const from = c.req.header('Last-Event-ID') ?? after;
      return followChanges(c, service.changes, { ...(from ? { from } : {}), ...(flowId ? { flowId } : {}), onClose: () => changeStreams-- });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/runs/{id}',
      tags: ['Runs'],
      summary: 'Read a run',
      request: { params: IdParam },
      responses: { 200: json(RunDetail, 'The run with its approvals'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.getRun(id);
      if (!run) throw notFound('run', id);
      return c.json({ ...runView(run), approvals: await store.listApprovals({ runId: id }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/runs/{id}/events',
      tags: ['Runs'],
      summary: "A run's trace",
      description:
        'With `Accept: text/event-stream`, the events as Server-Sent Events (`id` is the seq) until the run ends; reconnect with `Last-Event-ID` to continue with no gap and no duplicate. Otherwise a JSON page of events after `after`.',
      request: {
        params: IdParam,
        query: EventQuery,
      },
      responses: {
        200: {
          description: 'The events',
          content: {
            'application/json': { schema: EventPage },
            'text/event-stream': { schema: z.string() },
          },
        },
        ...errorResponses(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.getRun(id);
      if (!run) throw notFound('run', id);
      const after = resumePoint(c);
      if (typeof after === 'string') throw new TrellisError('invalid_event_id', `Last-Event-ID must be an event seq (a whole number), not "${after}"`);
      if (c.req.header('Accept')?.includes('text/event-stream')) {
        log.debug({ runId: id, after }, 'following run');
        return followRun(c, store, service.bus, id, { after, endOnWaiting: false });
      }
      const { limit } = c.req.valid('query');
      const items = await store.listEvents(id, { afterSeq: after, limit: limit ?? EVENTS_PAGE_DEFAULT });
      return c.json({ items, lastSeq: items.at(-1)?.seq ?? after }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/runs/{id}/cancel',
      tags: ['Runs'],
      summary: 'Cancel a run',
      request: { params: IdParam },
      responses: {
        200: json(Run, 'The cancelled run'),
        202: json(Run, 'The run executes on another runner, which was asked to cancel it and has not yet: it does in a moment (or the runner that takes it over does)'),
        ...errorResponses(404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const ended = await service.cancel(id);
      return c.json(runView((await store.getRun(id))!), ended ? 200 : 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/approvals',
      tags: ['Approvals'],
      summary: 'The inbox: approvals and questions across flows',
      description:
        'Pending ones unless `status` says otherwise (`decided`: every status but pending; `any`; or one status). Pending ones come oldest first (who has waited longest), ' +
        'any other list newest first (the history: who decided, when, how, with their comment). Filter by `kind`, `flowId`, `runId`; pass `cursor` from the previous page for the next.',
      request: { query: ApprovalQuery },
      responses: { 200: json(Page(InboxItem), 'A page of the inbox'), ...errorResponses(400) },
    }),
    async (c) => {
      const page = await store.listInbox(c.req.valid('query'));
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/approvals/count',
      tags: ['Approvals'],
      summary: "The inbox's badge",
      description: 'How many approvals and questions wait for a person, and how many runs wait on them.',
      responses: { 200: json(ApprovalCount, 'The counts') },
    }),
    async (c) => c.json(await store.countInbox(), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/approvals/{id}',
      tags: ['Approvals'],
      summary: 'Read an approval',
      request: { params: IdParam },
      responses: { 200: json(Approval, 'The approval'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const approval = await store.getApproval(id);
      if (!approval) throw notFound('approval', id);
      return c.json(approval, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/approvals/{id}',
      tags: ['Approvals'],
      summary: 'Approve, reject, or answer a question',
      description:
        'An approval takes `{ decision }`; a question (kind `question`) takes `{ answer }`, checked against its `schema` (400 `invalid_input` naming each field, e.g. `answer.quantity`). ' +
        'The decision or answer, comment, edited payload and who decided are kept in the trace; the run goes on in the background. Of two answers, one wins: the other gets 409 `already_decided`.',
      request: { params: IdParam, body: jsonBody(DecisionRequest) },
      responses: {
        200: json(Approval, 'The decided approval or answered question'),
        202: json(Approval, 'Still pending: the run goes on on another runner, which was handed the answer and has not taken it yet (it does in a moment)'),
        ...errorResponses(400, 404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.decision === undefined && body.answer === undefined) {
        throw invalidRequest([{ path: 'decision', message: 'is required: "approve" or "reject" (or `answer`, for a question)' }]);
      }
      if (body.decision !== undefined && body.answer !== undefined) {
        throw invalidRequest([{ path: 'answer', message: 'goes without a decision: an approval is decided, a question is answered' }]);
      }
      const approval = await service.decide(id, {
        approved: body.decision === 'approve' || body.answer !== undefined,
        ...(body.answer === undefined ? {} : { answer: body.answer }),
        by: body.by ?? 'api',
        ...(body.comment ? { comment: body.comment } : {}),
        ...(body.payload === undefined ? {} : { payload: body.payload }),
      });
      return c.json(approval, approval.status === 'pending' ? 202 : 200);
    },
  );
}

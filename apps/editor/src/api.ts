/**
 * A typed client for the runner's `/api`. The payload types come from packages/schema, which
 * the runner uses too: the editor never imports runner code.
 * Every failure is an `ApiError`: the runner's `{ error: { code, message, details } }`, or
 * code `network` when the runner could not be reached.
 */
import type {
  AddDatasetRows,
  AddRunToDataset,
  CreateDataset,
  DatasetSummary,
  DatasetVersion,
  DatasetVersionSummary,
  Experiment,
  ExperimentComparison,
  ExperimentRow,
  ImportDataset,
  StartExperiment,
  FlowTestReport,
  PublishRecord,
  RunFlowTests,
  ApiKey,
  Approval,
  ApprovalCount,
  ApprovalQuery,
  ApprovalStatus,
  Credential,
  CreatedKey,
  CreateKeyRequest,
  CreatePrompt,
  DecisionRequest,
  EventPage,
  ExampleFlow,
  Flow,
  FlowDetail,
  FlowSaved,
  FlowSummary,
  FlowVersion,
  FlowVersionSummary,
  InboxItem,
  McpToolList,
  McpToolsRequest,
  ModelCatalog,
  Page,
  Prompt,
  PromptImportResult,
  PromptLibraryFile,
  PromptQuery,
  PromptSummary,
  PromptUse,
  PromptVersion,
  PromptVersionSummary,
  ProviderStatus,
  ProviderTestResult,
  Published,
  PublishRequest,
  PutCredentialRequest,
  RestorePrompt,
  Run,
  RunDetail,
  RunEvent,
  RunEventType,
  RunChange,
  RunQuery,
  StartRun,
  StepTestResult,
  TestStep,
  TryPromptRequest,
  TryPromptResponse,
  UpdatePrompt,
  ValidationResult,
} from '@trellis/schema';
import { errorMessage } from '@trellis/schema';
import { apiPaths, enc, query } from './api-paths';
import { takePrefetched, takeReady } from './api-prefetch';

/** What went wrong with a request: the runner's error, or `network` when it could not be reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** The HTTP status; 0 when there was no answer. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The parts of the browser's EventSource that `followRun` uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  onerror: ((event: Event) => void) | null;
  close(): void;
}
export type EventSourceFactory = new (url: string) => EventSourceLike;

export interface ApiClientOptions {
  /** Prefix of every URL, e.g. `http://localhost:8787`; '' (the default) for the same origin. */
  baseUrl?: string;
  fetch?: FetchLike;
  /** `null` turns SSE off (the client polls the JSON trace instead). Defaults to the global one. */
  EventSource?: EventSourceFactory | null;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Take GETs the app prefetched as it started (api-prefetch.ts) instead of asking again: the app's own client only. */
  usePrefetched?: boolean;
}

export interface FollowOptions {
  /** Deliver events with a seq above this one (0: from the start). */
  after?: number;
  /** Called once when following stops for good (the run's end is not an error). */
  onError?: (error: ApiError) => void;
  /** Called once after the run's final event (completed, failed or cancelled). */
  onEnd?: () => void;
  /** Polling interval when there is no EventSource. */
  pollMs?: number;
  /** Reconnects in a row without an event before giving up. */
  maxRetries?: number;
}

/** Every run event type; SSE names each event by its type, so each needs its own listener. */
const EVENT_TYPES = [
  'run.started',
  'node.started',
  'node.delta',
  'node.tool_call',
  'node.tool_result',
  'node.handoff',
  'node.guardrail',
  'node.subflow',
  'node.completed',
  'node.failed',
  'node.skipped',
  'run.waiting',
  'run.resumed',
  'run.completed',
  'run.failed',
  'run.cancelled',
] as const satisfies readonly RunEventType[];
// Fails to compile when @trellis/schema gains an event type this list lacks.
const _allEventTypes: Record<Exclude<RunEventType, (typeof EVENT_TYPES)[number]>, never> = {};
void _allEventTypes;

const FINAL_EVENTS = new Set<string>(['run.completed', 'run.failed', 'run.cancelled']);
const CLOSED = 2; // EventSource.CLOSED: the browser gave up reconnecting by itself

export function createApiClient(options: ApiClientOptions = {}) {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  // Called through a wrapper: a bare `fetch` taken off `window` fails with "Illegal invocation".
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const EventSourceImpl: EventSourceFactory | undefined =
    options.EventSource === null
      ? undefined
      : (options.EventSource ?? (globalThis as { EventSource?: EventSourceFactory }).EventSource);

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${base}${path}`;
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      const prefetched = options.usePrefetched && method === 'GET' ? takePrefetched(url) : undefined;
      response = await (prefetched ?? doFetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
    } catch (error) {
      const why = errorMessage(error);
      throw new ApiError(0, 'network', `Could not reach the Trellis runner at ${url || '/'} (${why}). Check that it is running and the network is up.`, { cause: why });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const err = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
      if (err && typeof err.code === 'string' && typeof err.message === 'string') {
        throw new ApiError(response.status, err.code, err.message, err.details);
      }
      throw new ApiError(response.status, `http_${response.status}`, `The runner answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''} to ${method} ${path}.`, text ? { body: text.slice(0, 500) } : undefined);
    }
    if (parsed === undefined && text) {
      throw new ApiError(response.status, 'bad_response', `The runner's answer to ${method} ${path} is not JSON; is the base URL right?`, { body: text.slice(0, 500) });
    }
    return parsed as T;
  }
  const items = <T>(p: Promise<{ items: T[] }>) => p.then((r) => r.items);
  /** A prefetched answer that has arrived, for a page's first render (the app's own client only). */
  const ready = <T>(path: string): T | undefined => (options.usePrefetched ? (takeReady(`${base}${path}`) as T | undefined) : undefined);

  const client = {
    baseUrl: base,
    listFlows: () => items(request<{ items: FlowSummary[] }>('GET', apiPaths.flows())),
    getFlow: (id: string) => request<FlowDetail>('GET', apiPaths.flow(id)),
    /** What `listFlows()` would give, when the app prefetched it and it has arrived (once); else undefined. */
    readyFlows: () => ready<{ items: FlowSummary[] }>(apiPaths.flows())?.items,
    /** Saves a new flow as version 1; the answer is the version made and the document's problems, not the document. */
    createFlow: (doc: Flow) => request<FlowSaved>('POST', '/api/flows', doc),
    /** Saves a new version; with `expectVersion`, a 409 ApiError when someone saved another version meanwhile. */
    saveFlow: (id: string, doc: Flow, expectVersion?: number, message?: string, author?: string) =>
      request<FlowSaved>('PUT', `/api/flows/${enc(id)}${query({ expectVersion, message, author })}`, doc),
    /** Saves an old version's document as a new version (the new latest). */
    restoreFlow: (id: string, body: { version: number; message?: string; author?: string }) =>
      request<FlowVersion>('POST', `/api/flows/${enc(id)}/restore`, body),
    deleteFlow: (id: string) => request<void>('DELETE', `/api/flows/${enc(id)}`),
    listVersions: (id: string) => items(request<{ items: FlowVersionSummary[] }>('GET', `/api/flows/${enc(id)}/versions`)),
    /** The flow's publishes, newest first, with how each went past its publish gate. */
    listPublishes: (id: string) => items(request<{ items: PublishRecord[] }>('GET', `/api/flows/${enc(id)}/publishes`)),
    getVersion: (id: string, version: number) => request<FlowVersion>('GET', `/api/flows/${enc(id)}/versions/${version}`),
    validate: (doc: unknown) => request<ValidationResult>('POST', '/api/validate', doc),
    /** Models the picker offers, and whether the runner has each provider's key (booleans only). */
    listModels: () => request<ModelCatalog>('GET', '/api/models'),
    /** The tools of an MCP server, listed by the runner under its network rules (an MCP tool node's inspector). */
    listMcpTools: (body: McpToolsRequest) => request<McpToolList>('POST', '/api/mcp/tools', body),
    /** The bundled example flows a new flow can start from. */
    listExamples: () => items(request<{ items: ExampleFlow[] }>('GET', '/api/examples')),

    startRun: (flowId: string, body: StartRun) => request<Run>('POST', `/api/flows/${enc(flowId)}/runs`, body),
    getRun: (id: string) => request<RunDetail>('GET', `/api/runs/${enc(id)}`),
    listRuns: (q: RunQuery = {}) => request<Page<Run>>('GET', apiPaths.runs(q)),
    /** The page `listRuns(q)` would give, when the app prefetched it and it has arrived (once); else undefined. */
    readyRuns: (q: RunQuery = {}) => ready<Page<Run>>(apiPaths.runs(q)),
    listEvents: (runId: string, q: { after?: number; limit?: number } = {}) =>
      request<EventPage>('GET', `/api/runs/${enc(runId)}/events${query(q)}`),
    cancelRun: (id: string) => request<Run>('POST', `/api/runs/${enc(id)}/cancel`),

    /** Pending approvals unless `status` says otherwise. */
    listApprovals: (q: { status?: ApprovalStatus; runId?: string; flowId?: string } = {}) =>
      items(request<{ items: Approval[] }>('GET', `/api/approvals${query(q)}`)),
    /** The inbox across flows: pending approvals and questions, or their history (`status: 'decided'`). */
    listInbox: (q: Partial<ApprovalQuery> = {}) => request<Page<InboxItem>>('GET', `/api/approvals${query({ ...q })}`),
    /** The inbox's badge. */
    countInbox: () => request<ApprovalCount>('GET', '/api/approvals/count'),
    decideApproval: (id: string, decision: DecisionRequest) => request<Approval>('POST', `/api/approvals/${enc(id)}`, decision),

    publish: (flowId: string, body: PublishRequest) => request<Published>('POST', `/api/flows/${enc(flowId)}/publish`, body),
    listPublished: () => items(request<{ items: Published[] }>('GET', apiPaths.published())),
    unpublish: (slug: string) => request<void>('DELETE', `/api/published/${enc(slug)}`),
    createKey: (body: CreateKeyRequest) => request<CreatedKey>('POST', '/api/keys', body),
    listKeys: () => items(request<{ items: ApiKey[] }>('GET', '/api/keys')),
    listCredentials: () => items(request<{ items: Credential[] }>('GET', '/api/credentials')),
    /** Stores a credential (its value is write-only: it never comes back). */
    putCredential: (name: string, body: PutCredentialRequest) => request<Credential>('PUT', `/api/credentials/${enc(name)}`, body),
    deleteCredential: (name: string) => request<void>('DELETE', `/api/credentials/${enc(name)}`),
    listProviders: () => items(request<{ items: ProviderStatus[] }>('GET', '/api/providers')),
    testProvider: (id: string) => request<ProviderTestResult>('POST', `/api/providers/${enc(id)}/test`),
    revokeKey: (id: string) => request<void>('DELETE', `/api/keys/${enc(id)}`),

    // The prompt library: named prompts, every edit a new numbered version.
    /** Ranked by relevance, each with a `snippet`, when `q` is given. */
    listPrompts: (q: PromptQuery = {}) => items(request<{ items: PromptSummary[] }>('GET', `/api/prompts${query({ ...q })}`)),
    getPrompt: (name: string) => request<Prompt>('GET', `/api/prompts/${enc(name)}`),
    /** A 409 ApiError when the name is taken. */
    createPrompt: (body: CreatePrompt) => request<PromptVersion>('POST', '/api/prompts', body),
    /** A new version (none when the content is unchanged); a 409 ApiError when `expectVersion` is not the latest. */
    updatePrompt: (name: string, body: UpdatePrompt) => request<PromptVersion>('PUT', `/api/prompts/${enc(name)}`, body),
    /** A 409 ApiError naming the flows that use it, unless `force`. */
    deletePrompt: (name: string, force = false) => request<void>('DELETE', `/api/prompts/${enc(name)}${query({ force: force ? 'true' : undefined })}`),
    /** Newest first. */
    listPromptVersions: (name: string) => items(request<{ items: PromptVersionSummary[] }>('GET', `/api/prompts/${enc(name)}/versions`)),
    getPromptVersion: (name: string, version: number) => request<PromptVersion>('GET', `/api/prompts/${enc(name)}/versions/${version}`),
    /** Makes a new version with an old version's content. */
    restorePrompt: (name: string, body: RestorePrompt) => request<PromptVersion>('POST', `/api/prompts/${enc(name)}/restore`, body),
    /** The nodes of the flows' latest versions that reference the prompt. */
    promptUsage: (name: string) => items(request<{ items: PromptUse[] }>('GET', `/api/prompts/${enc(name)}/usage`)),
    tryPrompt: (name: string, body: TryPromptRequest) => request<TryPromptResponse>('POST', `/api/prompts/${enc(name)}/try`, body),
    exportPrompts: () => request<PromptLibraryFile>('GET', '/api/prompts/export'),
    importPrompts: (file: PromptLibraryFile) => request<PromptImportResult>('POST', '/api/prompts/import', file),

    /**
     * Follows a run's trace live; returns a function that stops following. Each event is
     * delivered once, in seq order, from `after` on.
     *
     * With EventSource: the first request carries `?after=` (EventSource cannot set headers);
     * the browser's own reconnects send `Last-Event-ID`, which the runner prefers. When the
     * browser gives up (the connection is CLOSED), a new EventSource resumes with
     * `?after=<last seq seen>`, with a growing pause, up to `maxRetries` tries in a row. The
     * stream is closed on the run's final event, or the browser would reconnect forever.
     * Without EventSource (tests, old runtimes) the JSON trace is polled the same way.
     */
    /**
     * Follows run status changes across flows (or one flow): `onChange` for each, `onReset` when
     * changes were missed (reload the list). Needs EventSource; returns a function that stops.
     * Without EventSource nothing is followed (the page still loads on demand).
     */
    followRunChanges(on: { onChange: (change: RunChange) => void; onReset?: () => void; flowId?: string }): () => void {
      if (!EventSourceImpl) return () => undefined;
      const es = new EventSourceImpl(`${base}/api/runs/changes${query({ flowId: on.flowId })}`);
      es.addEventListener('run', (message) => {
        try {
          on.onChange(JSON.parse(message.data) as RunChange);
        } catch {
          // not a change (a proxy's noise)
        }
      });
      es.addEventListener('reset', () => on.onReset?.());
      // The browser reconnects by itself with Last-Event-ID; a reset says when that was not enough.
      es.onerror = () => undefined;
      return () => es.close();
    },

    followRun(runId: string, onEvent: (event: RunEvent) => void, follow: FollowOptions = {}): () => void {
      let last = follow.after ?? 0;
      let stopped = false;
      let failures = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let source: EventSourceLike | undefined;
      const maxRetries = follow.maxRetries ?? 5;

      const stop = () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        source?.close();
        source = undefined;
      };
      const deliver = (event: RunEvent) => {
        if (stopped || event.seq <= last) return; // a replay after a reconnect: already delivered
        last = event.seq;
        failures = 0;
        onEvent(event);
        if (FINAL_EVENTS.has(event.type)) {
          stop();
          follow.onEnd?.();
        }
      };
      const fail = (error: ApiError) => {
        if (stopped) return;
        stop();
        follow.onError?.(error);
      };
      const retry = (again: () => void, error: () => ApiError) => {
        if (stopped) return;
        failures++;
        if (failures > maxRetries) return fail(error());
        timer = setTimeout(again, Math.min(15_000, 500 * 2 ** (failures - 1)));
      };

      if (EventSourceImpl) {
        const Impl = EventSourceImpl;
        const open = () => {
          if (stopped) return;
          const es = new Impl(`${base}/api/runs/${enc(runId)}/events${query({ after: last })}`);
          source = es;
          const onMessage = (message: MessageEvent<string>) => {
            let event: RunEvent;
            try {
              event = JSON.parse(message.data) as RunEvent;
            } catch {
              return; // not an event (a comment or a proxy's noise)
            }
            deliver(event);
          };
          for (const type of [...EVENT_TYPES, 'message']) es.addEventListener(type, onMessage);
          es.onerror = () => {
            if (stopped || es.readyState !== CLOSED) return; // CONNECTING: the browser retries with Last-Event-ID
            es.close();
            retry(open, () => new ApiError(0, 'network', `Lost the live trace of run "${runId}" and could not reconnect; reload to try again.`));
          };
        };
        open();
      } else {
        const poll = async () => {
          if (stopped) return;
          try {
            const page = await client.listEvents(runId, { after: last });
            for (const event of page.items) deliver(event);
            if (stopped) return;
            if (page.items.length) failures = 0;
            timer = setTimeout(() => void poll(), page.items.length === 1000 ? 0 : (follow.pollMs ?? 1000));
          } catch (error) {
            const apiError = error instanceof ApiError ? error : new ApiError(0, 'network', String(error));
            if (apiError.code !== 'network') return fail(apiError); // e.g. the run does not exist
            retry(() => void poll(), () => apiError);
          }
        };
        void poll();
      }
      return stop;
    },
    /** Runs one node on its own with the scope given ("Test this step"); nothing is stored. A step's own failure is a result, not an ApiError. */
    testStep: (flowId: string, nodeId: string, body: TestStep) => request<StepTestResult>('POST', `/api/flows/${enc(flowId)}/steps/${enc(nodeId)}/test`, body),
    /** Runs the flow's test cases offline (of the draft given, else the saved version); a failed case is a result, not an ApiError. */
    runTests: (flowId: string, body: RunFlowTests) => request<FlowTestReport>('POST', `/api/flows/${enc(flowId)}/tests`, body),

    // Datasets (rows versioned like prompts) and experiments (a flow version run over a dataset version, scored).
    /** Last changed first. */
    listDatasets: () => items(request<{ items: DatasetSummary[] }>('GET', '/api/datasets')),
    getDataset: (id: string) => request<DatasetSummary>('GET', `/api/datasets/${enc(id)}`),
    /** A 409 ApiError when the id is taken. */
    createDataset: (body: CreateDataset) => request<DatasetSummary>('POST', '/api/datasets', body),
    deleteDataset: (id: string) => request<void>('DELETE', `/api/datasets/${enc(id)}`),
    /** Newest first. */
    listDatasetVersions: (id: string) => items(request<{ items: DatasetVersionSummary[] }>('GET', `/api/datasets/${enc(id)}/versions`)),
    getDatasetVersion: (id: string, version: number) => request<DatasetVersion>('GET', `/api/datasets/${enc(id)}/versions/${version}`),
    /** Rows added after the latest version's (or replacing them): a new version. */
    addDatasetRows: (id: string, body: AddDatasetRows) => request<DatasetVersionSummary>('POST', `/api/datasets/${enc(id)}/rows`, body),
    /** A CSV or JSONL file as a new version; a 400 `invalid_dataset` ApiError names each problem by row and field (`details.problems`). */
    importDataset: (id: string, body: ImportDataset) => request<DatasetVersionSummary>('POST', `/api/datasets/${enc(id)}/import`, body),
    /** A past run as a row (a new version). */
    addRunToDataset: (id: string, body: AddRunToDataset) => request<DatasetVersionSummary>('POST', `/api/datasets/${enc(id)}/runs`, body),
    /** Starts it in the background: the answer is the experiment, running. */
    startExperiment: (body: StartExperiment) => request<Experiment>('POST', '/api/experiments', body),
    /** Newest first. */
    listExperiments: (q: { flowId?: string; datasetId?: string; limit?: number } = {}) => items(request<{ items: Experiment[] }>('GET', `/api/experiments${query(q)}`)),
    getExperiment: (id: string) => request<Experiment>('GET', `/api/experiments/${enc(id)}`),
    /** The rows finished so far, in dataset order. */
    listExperimentRows: (id: string, q: { offset?: number; limit?: number } = {}) => items(request<{ items: ExperimentRow[] }>('GET', `/api/experiments/${enc(id)}/rows${query(q)}`)),
    /** A row's trace. */
    experimentRowEvents: (id: string, index: number) => items(request<{ items: RunEvent[] }>('GET', `/api/experiments/${enc(id)}/rows/${index}/events`)),
    cancelExperiment: (id: string) => request<Experiment>('POST', `/api/experiments/${enc(id)}/cancel`),
    compareExperiments: (base: string, candidate: string) => request<ExperimentComparison>('GET', `/api/experiments/compare${query({ base, candidate })}`),
  };
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The client for the runner that serves the editor (same origin). */
export const api = createApiClient();

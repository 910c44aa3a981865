import { kinds } from '@trellis/nodes';
import type { StepScope, StepTestResult } from '@trellis/schema';
import { useContext, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { ApiError, type ApiClient } from '../api';
import { LazyCodeEditor } from '../inspector/code/LazyCodeEditor';
import { formatJson, parseJsonText } from '../inspector/json-text';
import type { FlowStore } from '../store/flow-store';
import { describeCondition, formatDuration, formatTokens, pretty } from './describe';
import { LastRunContext } from './last-run';
import { givenScope, startingScope } from './step-scope';

const SOURCE_NOTE = {
  'last run': 'Filled in from the last run: the input and the outputs of the steps before this one.',
  sample: "Filled in from the flow's first sample input. Give the outputs of the steps before this one (null marks each this step reads).",
  empty: 'No run or sample yet: give the input and the outputs of the steps before this one.',
} as const;

/** The problems a 400 names (`details.problems`), as lines under the message. */
function problemsOf(error: ApiError): string[] {
  const problems = (error.details as { problems?: Array<{ path?: unknown; nodeId?: string; message?: string }> } | undefined)?.problems;
  // A request's problems name a field (`scope.nodes.x`); a flow's name the node they are about.
  const where = (p: { path?: unknown; nodeId?: string }) => (typeof p.path === 'string' ? p.path : p.nodeId ? `node "${p.nodeId}"` : undefined);
  return Array.isArray(problems) ? problems.map((p) => [where(p), p.message].filter(Boolean).join(': ')) : [];
}

/**
 * "Test this step" for the selected node: runs it alone on the runner (nothing is stored) with a
 * scope the person can edit as JSON, filled from the last run's upstream outputs when there is
 * one, and shows how it went in place.
 */
export function StepTest({ store, api, nodeId }: { store: FlowStore; api: ApiClient; nodeId: string }) {
  const trace = useContext(LastRunContext);
  const document = useStore(store, (s) => s.document);
  const saved = useStore(store, (s) => s.savedVersion !== undefined);
  const node = document.nodes.find((n) => n.id === nodeId);
  const refersToFlow = node ? kinds.get(node.type)?.flowReference?.(node.config) !== undefined : false;
  // Filled once per node and per run: later edits to the flow must not wipe what was typed.
  const start = useMemo(() => startingScope(store.getState().document, nodeId, trace), [store, nodeId, trace]);
  const [text, setText] = useState(() => formatJson(start.scope));
  useEffect(() => setText(formatJson(start.scope)), [start]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<StepTestResult>();
  const [error, setError] = useState<ApiError>();
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const id = useId();
  const parsed = useMemo(() => parseJsonText(text), [text]);
  const shapeError = parsed.ok && (parsed.value === undefined || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) ? 'The scope is a JSON object: { "input": …, "nodes": { "<step id>": output }, "vars": … }.' : undefined;
  const jsonError = parsed.ok ? shapeError : `Not valid JSON: ${parsed.error}`;

  async function run() {
    if (!parsed.ok || jsonError) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const answer = await api.testStep(document.id, nodeId, { document, scope: givenScope(parsed.value as StepScope), ...(start.mocks ? { mocks: start.mocks } : {}) });
      if (live.current) setResult(answer);
    } catch (caught) {
      if (live.current) setError(caught instanceof ApiError ? caught : new ApiError(0, 'network', String(caught)));
    } finally {
      if (live.current) setBusy(false);
    }
  }

  if (!node) return null;
  const headingId = `${id}-heading`;
  return (
    <section className="step-test" aria-labelledby={headingId}>
      <h4 id={headingId} className="inspector-subheading">
        Test this step
      </h4>
      {refersToFlow ? (
        <p className="inspector-note">A sub-flow step starts a run of another flow: test it by running the whole flow.</p>
      ) : !saved ? (
        <p className="inspector-note">Save the flow once to test its steps.</p>
      ) : (
        <>
          <p className="inspector-help" id={`${id}-help`}>
            {SOURCE_NOTE[start.source]}
            {start.mocks ? " The sample's mock replies answer model calls." : ''}
          </p>
          <LazyCodeEditor value={text} onChange={setText} onBlur={() => undefined} label="Step scope" describedBy={`${id}-help${jsonError ? ` ${id}-json` : ''}`} language="json" />
          {jsonError && (
            <p id={`${id}-json`} className="inspector-message inspector-message-error" role="alert">
              {jsonError}
            </p>
          )}
          <button type="button" className="step-test-run btn-primary btn-sm" onClick={() => void run()} disabled={busy || jsonError !== undefined} aria-busy={busy || undefined}>
            {busy ? 'Running this step…' : 'Run this step'}
          </button>
          {error && <StepError error={error} />}
          {result && <StepOutcome result={result} flow={document} />}
        </>
      )}
    </section>
  );
}

function StepError({ error }: { error: ApiError }) {
  const problems = problemsOf(error);
  return (
    <div className="step-test-error" role="alert">
      <p>Could not test the step: {error.message}</p>
      {problems.length > 1 && (
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

const STATUS_WORDS: Record<StepTestResult['status'], string> = { succeeded: 'Succeeded', failed: 'Failed', waiting: 'Would wait for a person' };

function StepOutcome({ result, flow }: { result: StepTestResult; flow: Parameters<typeof describeCondition>[1] }) {
  const tokens = formatTokens(result.usage);
  const test = result.models?.find((m) => m.provider === 'test');
  const condition = result.decision === undefined ? undefined : describeCondition(result.decision, flow, result.nodeId);
  return (
    <div className={`step-test-result step-test-${result.status}`} role="status" aria-label="Step test result">
      <p>
        <strong>{STATUS_WORDS[result.status]}</strong> in {formatDuration(result.durationMs)}
        {tokens ? `, ${tokens}` : ''}
      </p>
      {test && <p className="inspector-note">Answered by the built-in test provider{test.testReason ? `: ${test.testReason}` : ''}.</p>}
      {condition && <p>{condition}</p>}
      {result.ports && result.ports.length > 0 && <p>Goes on through: {result.ports.join(', ')}</p>}
      {result.error && <p className="inspector-message inspector-message-error">{result.error.message}</p>}
      {result.waits?.map((wait, i) => (
        <div key={i}>
          <p>
            Would ask ({wait.kind}): {wait.message}
          </p>
          {wait.payload !== undefined && <pre aria-label="What the person would see">{pretty(wait.payload)}</pre>}
        </div>
      ))}
      {result.status === 'succeeded' && <pre aria-label="Step output">{pretty(result.output)}</pre>}
    </div>
  );
}

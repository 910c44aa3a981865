import { useEffect, useRef, useState } from 'react';
import type { Flow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { applyEvent, emptyTrace, type Trace } from './trace';

interface Props {
  api: ApiClient;
  flow: Flow;
  /** The version a run would use; undefined until the flow is saved. */
  savedVersion: number | undefined;
  dirty: boolean;
  /** The trace on show; the editor holds it, since the canvas lights up from it too. */
  trace: Trace | undefined;
  onTrace: (trace: Trace) => void;
  onSelectNode: (nodeId: string) => void;
}

const pretty = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/**
 * Test runs of the saved flow: an input (or a saved sample with its mock script), then the
 * trace as it streams in, with the approval the run waits for, if any.
 */
export function RunPanel({ api, flow, savedVersion, dirty, trace, onTrace, onSelectNode }: Props) {
  const samples = flow.samples ?? [];
  const [sample, setSample] = useState(samples[0]?.name ?? '');
  const [input, setInput] = useState(() => pretty(samples[0]?.input ?? {}));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [runId, setRunId] = useState<string | undefined>();
  const stop = useRef<(() => void) | undefined>(undefined);

  useEffect(() => () => stop.current?.(), []);

  const chooseSample = (name: string) => {
    setSample(name);
    const found = samples.find((s) => s.name === name);
    if (found) setInput(pretty(found.input ?? {}));
  };

  const start = async () => {
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input || '{}');
    } catch (e) {
      setError(`The input is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const mocks = samples.find((s) => s.name === sample)?.mocks;
    setBusy(true);
    try {
      stop.current?.();
      const run = await api.startRun(flow.id, { input: parsed, ...(mocks ? { mocks: mocks as Record<string, unknown> } : {}) });
      let current = emptyTrace();
      onTrace(current);
      stop.current = api.followRun(run.id, (event) => {
        current = applyEvent(current, event);
        onTrace(current);
      }, { onError: (e) => setError(`Lost the run's trace: ${e.message}`) });
      setRunId(run.id);
    } catch (e) {
      setError(`Could not start the run: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="run-panel" aria-label="Test run">
      <h2>Test run</h2>
      {savedVersion === undefined ? (
        <p>Save the flow to run it.</p>
      ) : (
        dirty && <p className="note">Runs use the saved version {savedVersion}; save to include your changes.</p>
      )}
      {samples.length > 0 && (
        <label>
          Sample
          <select value={sample} onChange={(e) => chooseSample(e.target.value)}>
            <option value="">none (no mock script)</option>
            {samples.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Run input (JSON)
        <textarea value={input} onChange={(e) => setInput(e.target.value)} rows={6} spellCheck={false} />
      </label>
      <button type="button" onClick={() => void start()} disabled={busy || savedVersion === undefined}>
        Start run
      </button>
      {error && <p role="alert">{error}</p>}
      {trace && runId && <TraceView api={api} runId={runId} trace={trace} onSelectNode={onSelectNode} onError={setError} />}
    </section>
  );
}

function TraceView({ api, runId, trace, onSelectNode, onError }: { api: ApiClient; runId: string; trace: Trace; onSelectNode: (id: string) => void; onError: (message: string) => void }) {
  return (
    <div className="trace">
      <p role="status" className={`run-status ${trace.status}`}>
        Run {trace.status}
        {trace.durationMs !== undefined ? ` in ${trace.durationMs} ms` : ''}
        {trace.usage ? ` · ${trace.usage.totalTokens} tokens${trace.usage.costUsd ? ` · $${trace.usage.costUsd.toFixed(4)}` : ''}` : ''}
      </p>
      {trace.testProvider.length > 0 && (
        <p className="note">
          The deterministic test provider answered for: {trace.testProvider.join(', ')}.
        </p>
      )}
      {trace.waiting && <ApprovalForm api={api} runId={runId} waiting={trace.waiting} onError={onError} />}
      <ol className="steps" aria-label="Steps">
        {trace.steps.map((s, i) => (
          <li key={`${s.nodeId}-${i}`} className={`step ${s.status}`}>
            <button type="button" onClick={() => onSelectNode(s.nodeId)} aria-label={`Step ${s.nodeId}: ${s.status}`}>
              <span className="step-name">{s.nodeId}</span>
              <span className="step-status">{s.status}</span>
              {s.durationMs !== undefined && <span>{Math.round(s.durationMs)} ms</span>}
              {s.usage && s.usage.totalTokens > 0 && <span>{s.usage.totalTokens} tokens</span>}
            </button>
            {s.text && <pre className="text">{s.text}</pre>}
            {s.tools.map((t) => (
              <div key={t.id} className="tool-call">
                → {t.tool}({JSON.stringify(t.args)}){t.error ? ` failed: ${t.error}` : t.result !== undefined ? ` = ${JSON.stringify(t.result)}` : ''}
              </div>
            ))}
            {s.error && <p className="step-error">{s.error}</p>}
            {s.output !== undefined && s.status === 'succeeded' && (
              <details>
                <summary>Output</summary>
                <pre>{pretty(s.output)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
      {trace.status === 'succeeded' && (
        <details open>
          <summary>Run output</summary>
          <pre aria-label="Run output">{pretty(trace.output)}</pre>
        </details>
      )}
      {trace.error && <p role="alert">The run failed: {trace.error}</p>}
    </div>
  );
}

function ApprovalForm({ api, runId, waiting, onError }: { api: ApiClient; runId: string; waiting: NonNullable<Trace['waiting']>; onError: (message: string) => void }) {
  const [payload, setPayload] = useState(() => pretty(waiting.payload));
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState(false);

  const decide = async (decision: 'approve' | 'reject') => {
    let edited: unknown;
    if (waiting.payload !== undefined) {
      try {
        edited = JSON.parse(payload);
      } catch (e) {
        onError(`The payload is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
    setSending(true);
    try {
      const [approval] = await api.listApprovals({ runId, status: 'pending' });
      if (!approval) throw new Error('the run is no longer waiting for this approval');
      await api.decideApproval(approval.id, {
        decision,
        by: 'editor',
        ...(comment ? { comment } : {}),
        ...(edited !== undefined && JSON.stringify(edited) !== JSON.stringify(waiting.payload) ? { payload: edited } : {}),
      });
    } catch (e) {
      onError(`Could not ${decision}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="approval" role="group" aria-label="Approval">
      <p className="approval-message">{waiting.message}</p>
      {waiting.payload !== undefined && (
        <label>
          Payload (JSON)
          <textarea value={payload} onChange={(e) => setPayload(e.target.value)} rows={5} spellCheck={false} />
        </label>
      )}
      <label>
        Comment
        <input value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="button" disabled={sending} onClick={() => void decide('approve')}>
        Approve
      </button>
      <button type="button" disabled={sending} onClick={() => void decide('reject')}>
        Reject
      </button>
    </div>
  );
}

import { useState } from 'react';
import { errorMessage, hasEnded, type Flow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { describeAgentGuardrail, describeAnswer, describeCondition, describeGuardrail, formatCost, formatDuration, formatTokens, pretty, shortRunId, stepName } from './describe';
import { RoundList } from './RoundList';
import { SubflowRuns } from './SubflowRuns';
import { stepInput, testProviderSteps, type Step, type Trace } from './trace';
import { WaitForms } from './WaitForms';

interface Props {
  api: ApiClient;
  runId: string;
  trace: Trace;
  flow: Flow;
  /** The version being edited, to say when the run used another one. */
  savedVersion: number | undefined;
  dirty: boolean;
  onSelectNode: (nodeId: string) => void;
  /** How deep this trace is nested in sub-flow traces (0: the run's own). */
  depth?: number;
}

/** The trace of one run: its status, then a timeline of steps, with the wait it stopped at. */
export function TraceView({ api, runId, trace, flow, savedVersion, dirty, onSelectNode, depth = 0 }: Props) {
  const [cancelError, setCancelError] = useState<string | undefined>();
  const [cancelling, setCancelling] = useState(false);
  const active = !hasEnded(trace.status);
  const tested = testProviderSteps(trace);
  const longest = Math.max(1, ...trace.steps.map((s) => s.durationMs ?? 0));

  const cancel = async () => {
    setCancelError(undefined);
    setCancelling(true);
    try {
      await api.cancelRun(runId);
    } catch (e) {
      setCancelError(`Could not cancel the run: ${errorMessage(e)}`);
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="trace">
      <div className="trace-head">
        <p role="status" className={`run-status ${trace.status}`}>
          Run {trace.status}
          {trace.durationMs !== undefined ? ` in ${formatDuration(trace.durationMs)}` : ''}
          {formatTokens(trace.usage) ? ` · ${formatTokens(trace.usage)}` : ''}
          {formatCost(trace.usage) ? ` · ${formatCost(trace.usage)}` : ''}
        </p>
        {active && (
          <button type="button" onClick={() => void cancel()} disabled={cancelling}>
            Cancel run
          </button>
        )}
      </div>
      <p className="note">
        Run {shortRunId(runId)}
        {trace.flowVersion !== undefined ? ` · flow version ${trace.flowVersion}` : ''}
        {trace.parent ? ` · a sub-flow run, started by step "${trace.parent.nodeId}" of run ${shortRunId(trace.parent.runId)}` : ''}
      </p>
      {trace.prompts && trace.prompts.length > 0 && (
        <div className="run-prompts">
          <p className="note">Library prompts this run used:</p>
          <ul aria-label="Library prompts used">
            {trace.prompts.map((pin) => (
              <li key={`${pin.nodeId}-${pin.field}`}>
                {stepName(flow, { nodeId: pin.nodeId })} ({pin.field}): <code>{pin.ref}</code> → version {pin.version}
              </li>
            ))}
          </ul>
        </div>
      )}
      {trace.flowVersion !== undefined && savedVersion !== undefined && (trace.flowVersion !== savedVersion || dirty) && (
        <p className="note run-version-note">
          {trace.flowVersion !== savedVersion
            ? `This run used version ${trace.flowVersion}; you are editing version ${savedVersion}, so its steps may differ from the canvas.`
            : `This run used version ${trace.flowVersion}, saved before your latest edits, so its steps may differ from the canvas.`}
        </p>
      )}
      {cancelError && <p role="alert" className="run-error">{cancelError}</p>}
      {tested.length > 0 && (
        <p className="note run-test-provider">
          The deterministic test provider answered for: {tested.map(({ step, reason }) => `${stepName(flow, step)} (${step.nodeId}${reason ? `, ${reason}` : ''})`).join(', ')}. No real model was called for these steps.
        </p>
      )}
      {trace.mocked && trace.mocked.length > 0 && <p className="note">The run's mock script had replies for: {trace.mocked.join(', ')}.</p>}
      <WaitForms api={api} runId={runId} trace={trace} flow={flow} />
      <StepList steps={trace.steps} label="Steps" trace={trace} flow={flow} longest={longest} onSelectNode={onSelectNode} api={api} depth={depth} />
      {trace.status === 'succeeded' && (
        <details open>
          <summary>Run output</summary>
          <pre aria-label="Run output">{pretty(trace.output)}</pre>
        </details>
      )}
      {trace.error && <p role="alert">The run failed: {trace.error}</p>}
      {trace.status === 'cancelled' && <p className="note">The run was cancelled{trace.cancelReason ? `: ${trace.cancelReason}` : ''}.</p>}
    </div>
  );
}

interface ListProps {
  steps: Step[];
  label: string;
  trace: Trace;
  flow: Flow;
  longest: number;
  onSelectNode: (id: string) => void;
  api: ApiClient;
  depth: number;
}

/** One level of steps: the run's own, or one round of a container's body (drawn by the same list, so bodies nest). */
function StepList({ steps, label, ...rest }: ListProps) {
  return (
    <ol className="steps" aria-label={label}>
      {steps.map((s, i) => (
        <StepItem key={`${s.nodeId}-${i}`} step={s} level={steps} {...rest} />
      ))}
    </ol>
  );
}

function StepItem({ step: s, level, trace, flow, longest, onSelectNode, api, depth }: Omit<ListProps, 'steps' | 'label'> & { step: Step; level: Step[] }) {
  const name = stepName(flow, s);
  const tokens = formatTokens(s.usage);
  const cost = formatCost(s.usage);
  const input = s.status === 'skipped' ? undefined : stepInput(trace, flow, s.nodeId, level);
  const condition = describeCondition(s.decision, flow, s.nodeId) ?? describeGuardrail(s.decision);
  const offset = s.startedAt && trace.startedAt ? Date.parse(s.startedAt) - Date.parse(trace.startedAt) : undefined;
  return (
    <li className={`step ${s.status}`}>
      <button type="button" onClick={() => onSelectNode(s.nodeId)} aria-label={`Step ${s.nodeId}: ${s.status}`} title="Select this node on the canvas">
        <span className="step-name">{name}</span>
        {s.kind && <span className="step-kind">{s.kind}</span>}
        <span className="step-status">{s.status}</span>
        {s.durationMs !== undefined && <span className="step-duration">{formatDuration(s.durationMs)}</span>}
        {tokens && <span>{tokens}</span>}
        {cost && <span>{cost}</span>}
        {s.models?.some((m) => m.provider === 'test') && <span className="step-badge">test provider</span>}
      </button>
      {s.durationMs !== undefined && (
        <span className="step-bar" aria-hidden="true">
          <span style={{ width: `${Math.max(2, (s.durationMs / longest) * 100)}%` }} />
        </span>
      )}
      {offset !== undefined && offset >= 0 && s.status !== 'skipped' && <p className="note">started at +{formatDuration(offset)}{s.attempt > 1 ? ` · attempt ${s.attempt}` : ''}</p>}
      {s.skipReason && <p className="note">Skipped: {s.skipReason}</p>}
      {s.retries.map((r) => (
        <p key={r.attempt} className="step-retry">
          Attempt {r.attempt} failed: {r.error}; {r.retryInMs !== undefined ? `retried after ${formatDuration(r.retryInMs)}` : 'retried'}.
        </p>
      ))}
      {s.text && (
        <pre className="text" aria-label={`Streamed text of ${name}`} aria-live={s.status === 'running' ? 'polite' : undefined}>
          {s.text}
        </pre>
      )}
      {s.tools.length > 0 && (
        <ol className="tool-calls" aria-label={`Tool calls of ${name}`}>
          {s.tools.map((t) => (
            <li key={t.id} className="tool-call" style={t.path?.length ? { marginLeft: `${t.path.length * 1.25}em` } : undefined}>
              {t.path?.length ? <span className="note">{t.path.join(' › ')} › </span> : null}
              <span className="tool-name">{t.tool}</span>(<code>{JSON.stringify(t.args)}</code>)
              {t.error ? <span className="step-error"> failed: {t.error}</span> : t.result === undefined ? <span> running…</span> : null}
              {t.durationMs !== undefined && <span className="note"> {formatDuration(t.durationMs)}</span>}
              {t.result !== undefined && !t.error && (
                <details>
                  <summary>Result of {t.tool}</summary>
                  <pre>{pretty(t.result)}</pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
      {s.nestedText?.map((n, i) => (
        <div key={i} style={{ marginLeft: `${n.path.length * 1.25}em` }}>
          <p className="note">{n.path.join(' › ')}{n.call ? ` (call ${n.call})` : ''}</p>
          <pre className="text" aria-label={`Streamed text of agent ${n.agent}`}>
            {n.text}
          </pre>
        </div>
      ))}
      {s.handoffs?.map((h) => (
        <p key={h.count} className="step-decision">
          Handoff {h.count}: {h.from} → {h.to}
          {h.reason ? `: ${h.reason}` : ''}
          {h.history === 'summary' ? ' (history summarised)' : ''}
        </p>
      ))}
      {s.guardrails?.map((g, i) => (
        <p key={i} className={g.passed ? 'step-decision' : 'step-decision step-error'}>
          {describeAgentGuardrail(g)}
        </p>
      ))}
      {condition && <p className="step-decision">{condition}</p>}
      {s.answers.map((a, i) => (
        <p key={i} className="step-decision">
          {describeAnswer(a)}
        </p>
      ))}
      {s.subflows && s.subflows.length > 0 && <SubflowRuns api={api} runs={s.subflows} depth={depth} />}
      {s.error && <p className="step-error">{s.error}</p>}
      {input !== undefined && (
        <details>
          <summary>Input</summary>
          <pre>{pretty(input)}</pre>
        </details>
      )}
      {s.output !== undefined && s.status === 'succeeded' && (
        <details>
          <summary>Output</summary>
          <pre>{pretty(s.output)}</pre>
        </details>
      )}
      {s.rounds && (
        <RoundList
          container={s}
          renderSteps={(steps, label) => <StepList steps={steps} label={label} trace={trace} flow={flow} longest={longest} onSelectNode={onSelectNode} api={api} depth={depth} />}
        />
      )}
    </li>
  );
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flowInputSchema } from '@trellis/nodes';
import { errorMessage, type Flow, type Run, type Sample } from '@trellis/schema';
import type { ApiClient } from '../api';
import type { FlowStore } from '../store/flow-store';
import { pretty } from './describe';
import { watchRun } from './follow';
import { InputForm } from './InputForm';
import { checkInput, describeProblem, type InputProblem } from './input-check';
import { mocksText as showMocks, parseMocks } from './mocks';
import { RunHistory } from './RunHistory';
import { MockScriptField, SampleControls } from './SampleControls';
import { formFields } from './schema-form';
import type { Trace } from './trace';
import { TraceView } from './TraceView';
import { SaveRunAsCase } from '../tests/SaveRunAsCase';

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
  /** The flow's store, to save samples into the flow; without it samples can be used but not edited. */
  store?: FlowStore;
}

const MAX_SAMPLES = 100;
const RUNS_POLL_MS = 5000;
const RUNS_SHOWN = 20;

type InputMode = 'form' | 'json';

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text.trim() ? text : '{}') as unknown };
  } catch (e) {
    return { error: `The input is not valid JSON: ${errorMessage(e)}` };
  }
}

/**
 * Test runs of the saved flow: an input (a form from the input schema, or raw JSON), samples
 * with their mock scripts saved with the flow, then the trace as it streams in, with the approval
 * the run waits for; and this flow's past runs, each re-openable.
 */
export function RunPanel({ api, flow, savedVersion, dirty, trace, onTrace, onSelectNode, store }: Props) {
  const samples = useMemo(() => flow.samples ?? [], [flow.samples]);
  const schema = useMemo(() => flowInputSchema(flow), [flow]);
  const fields = useMemo(() => formFields(schema), [schema]);

  const [chosen, setChosen] = useState(samples[0]?.name ?? '');
  const [inputText, setInputText] = useState(() => pretty(samples[0]?.input ?? {}));
  const [mocksText, setMocksText] = useState(() => showMocks(samples[0]?.mocks));
  const [mode, setMode] = useState<InputMode>(fields ? 'form' : 'json');
  // Problems show once the person has done something with the input, not on an untouched form.
  const [touched, setTouched] = useState(false);
  // Bumped when the input changes from outside the form (a sample, the JSON), to drop half-typed fields.
  const [formEpoch, setFormEpoch] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [runId, setRunId] = useState<string | undefined>();
  const [runs, setRuns] = useState<Run[] | undefined>();
  const [runsError, setRunsError] = useState<string | undefined>();
  const stop = useRef<(() => void) | undefined>(undefined);
  // The mock script of the run last started here: a run saved as a test case keeps it.
  const startedWith = useRef<{ runId: string; mocks: Record<string, unknown> | undefined } | undefined>(undefined);
  const runsRequest = useRef(0);

  useEffect(() => () => stop.current?.(), []);

  const parsed = parseJson(inputText);
  // The check loads the validator on first use, so its answer arrives a moment later; until it
  // does for this very input and schema, no problems show (and starting a run checks afresh).
  const [checked, setChecked] = useState<{ text: string; schema: unknown; problems: InputProblem[] }>();
  useEffect(() => {
    let current = true;
    const value = parseJson(inputText);
    void checkInput('value' in value ? value.value : undefined, 'value' in value ? schema : undefined).then((found) => {
      if (current) setChecked({ text: inputText, schema, problems: found });
    });
    return () => {
      current = false;
    };
  }, [inputText, schema]);
  const problems = checked && checked.text === inputText && checked.schema === schema ? checked.problems : [];
  const mocks = parseMocks(mocksText, flow);
  const chosenShown = samples.some((s) => s.name === chosen) ? chosen : '';
  const usesForm = fields !== undefined && mode === 'form';

  const refreshRuns = useCallback(async () => {
    const request = ++runsRequest.current;
    try {
      const page = await api.listRuns({ flowId: flow.id, limit: RUNS_SHOWN });
      if (request !== runsRequest.current) return; // a newer refresh is on its way
      setRuns(page.items);
      setRunsError(undefined);
    } catch (e) {
      if (request === runsRequest.current) setRunsError(`Could not list the runs: ${errorMessage(e)}`);
    }
  }, [api, flow.id]);

  // The list follows the run on show: a run that starts, waits or ends shows its new status.
  const shownStatus = trace?.status;
  useEffect(() => {
    void refreshRuns();
  }, [refreshRuns, shownStatus]);
  // Runs started elsewhere (a published endpoint, another tab) show up too, while the page is on screen.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refreshRuns();
    }, RUNS_POLL_MS);
    return () => clearInterval(timer);
  }, [refreshRuns]);

  const show = (run: { id: string; status: Run['status'] }) => {
    stop.current?.();
    setError(undefined);
    setRunId(run.id);
    stop.current = watchRun(api, run, { onTrace, onError: setError });
  };

  const chooseSample = (name: string) => {
    setChosen(name);
    const found = samples.find((s) => s.name === name);
    if (found) setInputText(pretty(found.input ?? {}));
    setMocksText(showMocks(found?.mocks));
    setFormEpoch((n) => n + 1);
    setTouched(true);
  };

  const chooseMode = (next: InputMode) => {
    if (next === 'form' && 'error' in parsed) {
      setError(`${parsed.error}. Fix it before switching to the form.`);
      return;
    }
    setError(undefined);
    setFormEpoch((n) => n + 1);
    setMode(next);
  };

  const saveSample = (name: string): string | undefined => {
    if (!store) return 'Samples cannot be saved here.';
    if ('error' in parsed) return `${parsed.error}. Fix it before saving the sample.`;
    if (mocks.problems.length) return mocks.problems.join(' ');
    const existing = samples.find((s) => s.name === name);
    if (!existing && samples.length >= MAX_SAMPLES) return `A flow keeps at most ${MAX_SAMPLES} samples; delete one first.`;
    const sample: Sample = { name, ...(existing?.description ? { description: existing.description } : {}), input: parsed.value, ...(mocks.mocks ? { mocks: mocks.mocks } : {}) };
    store.getState().setSamples(existing ? samples.map((s) => (s.name === name ? sample : s)) : [...samples, sample]);
    setChosen(name);
    return undefined;
  };

  const deleteSample = (name: string) => {
    store?.getState().setSamples(samples.filter((s) => s.name !== name));
    setChosen('');
  };

  const start = async () => {
    setError(undefined);
    setTouched(true);
    if ('error' in parsed) return setError(parsed.error);
    const found = await checkInput(parsed.value, schema);
    if (found.length) return setError(`Fix the input first: ${found.slice(0, 5).map(describeProblem).join('; ')}.`);
    if (mocks.problems.length) return setError(mocks.problems.join(' '));
    setBusy(true);
    try {
      const run = await api.startRun(flow.id, { input: parsed.value, ...(mocks.mocks ? { mocks: mocks.mocks as Record<string, unknown> } : {}) });
      startedWith.current = { runId: run.id, mocks: mocks.mocks as Record<string, unknown> | undefined };
      show(run);
    } catch (e) {
      setError(`Could not start the run: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  // Problems of a property show under its field; the rest (the input itself, unknown keys) in the list.
  const fieldNames = new Set(fields?.map((f) => f.name));
  const byField = new Map<string, string[]>();
  const general: InputProblem[] = [];
  for (const p of touched ? problems : []) {
    const top = p.path.split('.')[0] ?? '';
    if (usesForm && fieldNames.has(top)) byField.set(top, [...(byField.get(top) ?? []), describeProblem(p)]);
    else general.push(p);
  }

  return (
    <section className="run-panel" aria-label="Test run">
      <h2>Test run</h2>
      {savedVersion === undefined ? (
        <p>Save the flow to run it.</p>
      ) : (
        dirty && <p className="note">Runs use the saved version {savedVersion}; save to include your changes.</p>
      )}
      <SampleControls
        samples={samples}
        chosen={chosenShown}
        onChoose={chooseSample}
        canEdit={store !== undefined}
        onSaveAs={saveSample}
        onDelete={deleteSample}
      />
      {fields && (
        <fieldset className="run-input-mode">
          <legend>Edit the input as</legend>
          <label>
            <input type="radio" name="run-input-mode" checked={mode === 'form'} onChange={() => chooseMode('form')} />
            Form
          </label>
          <label>
            <input type="radio" name="run-input-mode" checked={mode === 'json'} onChange={() => chooseMode('json')} />
            JSON
          </label>
        </fieldset>
      )}
      {usesForm && 'value' in parsed && (
        <InputForm
          key={formEpoch}
          fields={fields}
          value={parsed.value}
          problems={byField}
          onChange={(value) => {
            setInputText(pretty(value));
            setTouched(true);
          }}
        />
      )}
      {/* Always rendered, hidden under the form: one value, two ways to edit it. */}
      <label hidden={usesForm && 'value' in parsed}>
        Run input (JSON)
        <textarea
          value={inputText}
          onChange={(e) => {
            setInputText(e.target.value);
            setTouched(true);
          }}
          rows={6}
          spellCheck={false}
          aria-invalid={touched && ('error' in parsed || problems.length > 0)}
        />
      </label>
      {touched && 'error' in parsed && !usesForm && <p className="run-error">{parsed.error}</p>}
      {general.length > 0 && (
        <div className="run-input-problems">
          <p>The input does not match the input schema:</p>
          <ul>
            {general.map((p, i) => (
              <li key={i}>{describeProblem(p)}</li>
            ))}
          </ul>
        </div>
      )}
      <MockScriptField
        text={mocksText}
        onText={setMocksText}
        problems={[...mocks.problems, ...(mocks.unknownNodes.length ? [`No node in this flow has the id ${mocks.unknownNodes.map((id) => `"${id}"`).join(', ')}; those replies will not be used.`] : [])]}
      />
      <div className="run-buttons">
        <button type="button" onClick={() => void start()} disabled={busy || savedVersion === undefined}>
          Start run
        </button>
      </div>
      {error && (
        <p role="alert" className="run-error">
          {error}
        </p>
      )}
      {trace && runId && store && <SaveRunAsCase trace={trace} mocks={startedWith.current?.runId === runId ? startedWith.current.mocks : 'unknown'} store={store} samples={samples} />}
      {trace && runId && <TraceView api={api} runId={runId} trace={trace} flow={flow} savedVersion={savedVersion} dirty={dirty} onSelectNode={onSelectNode} />}
      <RunHistory runs={runs} error={runsError} openRunId={runId} savedVersion={savedVersion} onOpen={show} onRefresh={() => void refreshRuns()} />
    </section>
  );
}

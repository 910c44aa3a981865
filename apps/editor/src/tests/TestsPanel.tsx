import { useState } from 'react';
import { useStore } from 'zustand';
import { diffLines } from 'diff';
import { describeAssertion, errorMessage, type AssertionCheck, type CaseReport, type FlowTestReport, type Sample } from '@trellis/schema';
import type { ApiClient } from '../api';
import type { FlowStore } from '../store/flow-store';
import { cx } from '../ui/cx';
import { checksText, parseChecks } from './checks-text';

/**
 * The flow's test cases (its samples): run them all against the canvas as drawn, offline on their
 * mock scripts, and see each case pass or fail, with what each check expected and what the run
 * gave. A case's checks are edited here as JSON; a run becomes a case from the Test run panel.
 */
export function TestsPanel({ api, store }: { api: ApiClient; store: FlowStore }) {
  const samples = useStore(store, (s) => s.document.samples) ?? [];
  const [report, setReport] = useState<{ report: FlowTestReport } | undefined>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState<Set<string>>(new Set());

  const run = async () => {
    setRunning(true);
    setError(undefined);
    const { document } = store.getState();
    try {
      setReport({ report: await api.runTests(document.id, { document }) });
    } catch (e) {
      setError(`Could not run the tests: ${errorMessage(e)}`);
    } finally {
      setRunning(false);
    }
  };

  const byName = new Map(report?.report.cases.map((c) => [c.name, c]));
  const toggle = (name: string) =>
    setOpen((was) => {
      const next = new Set(was);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <section className="tests-panel" aria-label="Test cases">
      <div className="tests-head">
        <h2>Test cases</h2>
        <button type="button" className="btn-primary" onClick={() => void run()} disabled={running || !samples.length}>
          {running ? 'Running…' : 'Run tests'}
        </button>
      </div>
      <p className="note">
        Each sample is a case: it runs the flow as drawn, offline on its mock script, and passes when the run succeeds and every check holds. Nothing is stored. Save a run as a case from the Test run tab.
      </p>
      {!samples.length && <p className="tests-empty">No cases yet. Start a run in the Test run tab, then save it as a test case.</p>}
      {report && (
        <p role="status" className={cx('tests-summary', report.report.failed ? 'is-failed' : 'is-passed')}>
          {report.report.failed ? `${report.report.failed} failed, ${report.report.passed} passed` : `All ${report.report.passed} passed`} · {(report.report.durationMs / 1000).toFixed(2)} s
        </p>
      )}
      {error && (
        <p role="alert" className="run-error">
          {error}
        </p>
      )}
      <ul className="tests-list">
        {samples.map((sample) => {
          const result = byName.get(sample.name);
          // A failed case shows why until it is folded.
          const expanded = open.has(sample.name) !== (result !== undefined && !result.passed);
          return <CaseRow key={sample.name} sample={sample} result={result} expanded={expanded} onToggle={() => toggle(sample.name)} store={store} />;
        })}
      </ul>
    </section>
  );
}

function CaseRow({ sample, result, expanded, onToggle, store }: { sample: Sample; result: CaseReport | undefined; expanded: boolean; onToggle: () => void; store: FlowStore }) {
  const [editing, setEditing] = useState<string | undefined>();
  const [problems, setProblems] = useState<string[]>([]);
  const checks = sample.expect ?? [];
  const state = result === undefined ? 'not run' : result.passed ? 'passed' : 'failed';
  const bodyId = `case-${sample.name.replace(/[^\w-]/g, '_')}`;

  const apply = () => {
    const parsed = parseChecks(editing ?? '');
    if ('problems' in parsed) return setProblems(parsed.problems);
    const all = store.getState().document.samples ?? [];
    store.getState().setSamples(all.map((s) => (s.name === sample.name ? { ...s, expect: parsed.checks } : s)));
    setEditing(undefined);
    setProblems([]);
  };

  return (
    <li className={cx('test-case', `is-${state.replace(' ', '-')}`)}>
      <button type="button" className="test-case-head" aria-expanded={expanded} aria-controls={bodyId} onClick={onToggle}>
        <span className="test-case-mark" aria-hidden>
          {result === undefined ? '•' : result.passed ? '✓' : '✗'}
        </span>
        <span className="test-case-name">{sample.name}</span>
        <span className="test-case-meta">
          {state === 'not run' ? `${checks.length} check${checks.length === 1 ? '' : 's'}` : `${state} · ${result!.durationMs} ms`}
        </span>
      </button>
      {expanded && (
        <div id={bodyId} className="test-case-body" aria-label={`Case ${sample.name}`} role="region">
          {sample.description && <p className="note">{sample.description}</p>}
          {result ? (
            <ul className="test-checks">
              {result.checks.map((check, i) => (
                <CheckLine key={i} check={check} />
              ))}
            </ul>
          ) : (
            <ul className="test-checks">
              <li className="test-check">the run succeeds{checks.some((c) => c.type === 'status') ? ' (unless a check says otherwise)' : ''}</li>
              {checks.map((check, i) => (
                <li key={i} className="test-check">
                  {describeAssertion(check)}
                </li>
              ))}
            </ul>
          )}
          {editing === undefined ? (
            <button type="button" onClick={() => setEditing(checksText(sample))}>
              Edit checks
            </button>
          ) : (
            <div className="test-checks-edit">
              <label>
                Checks of “{sample.name}” (JSON)
                <textarea value={editing} rows={8} spellCheck={false} onChange={(e) => setEditing(e.target.value)} aria-invalid={problems.length > 0} />
              </label>
              {problems.length > 0 && (
                <ul className="field-errors" role="alert">
                  {problems.map((p, i) => (
                    <li key={i}>{p}</li>
                  ))}
                </ul>
              )}
              <div className="run-buttons">
                <button type="button" onClick={apply}>
                  Apply checks
                </button>
                <button type="button" onClick={() => { setEditing(undefined); setProblems([]); }}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </li>
  );
}

function CheckLine({ check }: { check: AssertionCheck }) {
  return (
    <li className={cx('test-check', check.passed ? 'is-passed' : 'is-failed')}>
      <span className="test-check-mark" aria-label={check.passed ? 'passed' : 'failed'}>
        {check.passed ? '✓' : '✗'}
      </span>{' '}
      {check.passed ? describeOrImplicit(check) : check.message}
      {check.assertion.note && <span className="note"> ({check.assertion.note})</span>}
      {!check.passed && 'expected' in check && <ValueDiff expected={check.expected} actual={check.actual} />}
    </li>
  );
}

const describeOrImplicit = (check: AssertionCheck) => (check.implicit ? 'the run succeeds' : describeAssertion(check.assertion));

/** What a check expected against what the run gave: one line each when short, else a line diff. */
function ValueDiff({ expected, actual }: { expected: unknown; actual: unknown }) {
  const a = JSON.stringify(expected, null, 2) ?? 'nothing';
  const b = JSON.stringify(actual, null, 2) ?? 'nothing';
  if (!a.includes('\n') && !b.includes('\n')) {
    return (
      <dl className="value-diff">
        <dt>Expected</dt>
        <dd className="is-expected">{a}</dd>
        <dt>Actual</dt>
        <dd className="is-actual">{b}</dd>
      </dl>
    );
  }
  return (
    <pre className="value-diff" aria-label="Expected (−) against actual (+)">
      {diffLines(a, b).flatMap((part, i) =>
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((line, j) => (
            <span key={`${i}-${j}`} className={part.added ? 'is-actual' : part.removed ? 'is-expected' : undefined}>
              {part.added ? '+ ' : part.removed ? '− ' : '  '}
              {line}
              {'\n'}
            </span>
          )),
      )}
    </pre>
  );
}

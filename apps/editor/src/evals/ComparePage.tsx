import { useCallback, useEffect, useState } from 'react';
import { ArrowDownRight, ArrowLeft, ArrowLeftRight, ArrowUpRight, Equal } from 'lucide-react';
import type { Experiment, ExperimentComparison } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import type { Route } from '../routes';
import { EmptyState, Page } from '../ui/Page';
import { StatusBadge } from '../ui/StatusBadge';
import { cx } from '../ui/cx';
import { filterRows, metrics, type ComparedRow, type RowFilter } from './compare';
import { datasetLabel, errorText, experimentBadge, experimentName, flowLabel, formatMs, scorerIds, summarize } from './format';
import { LoadError, Loading, ScoreCell, Section, td, th } from './parts';
import './evals.css';

/** Two experiments on the same dataset side by side: their figures with the change, then row by row, what regressed first to the eye. */
export function ComparePage({ api, base, candidate, go }: { api: ApiClient; base: string; candidate: string; go: (route: Route) => void }) {
  const [comparison, setComparison] = useState<ExperimentComparison | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState<RowFilter>('all');

  const load = useCallback(() => {
    setError(undefined);
    setComparison(undefined);
    if (!base || !candidate) return setError('Choose two experiments to compare: open an experiment and use “Compare with”.');
    api.compareExperiments(base, candidate).then(setComparison, (e: unknown) => setError(errorText('Could not compare the experiments', e)));
  }, [api, base, candidate]);
  useEffect(load, [load]);

  const back = (
    <a href="#/experiments" onClick={(e) => (e.preventDefault(), go({ page: 'experiments' }))} className="mb-3 inline-flex items-center gap-1 text-sm text-fg-muted">
      <ArrowLeft size={14} aria-hidden="true" /> Experiments
    </a>
  );
  if (error || !comparison) {
    return (
      <Page wide label="Compare experiments">
        {back}
        {error ? <LoadError message={error} onRetry={base && candidate ? load : undefined} /> : <Loading label="Comparing the experiments" />}
      </Page>
    );
  }

  const c = comparison;
  const candidateIds = scorerIds(c.candidate.scorers);
  const shared = scorerIds(c.base.scorers).filter((id) => candidateIds.includes(id));
  const shown = filterRows(c.rows, filter);
  const same = c.rows.length - c.improved - c.regressed;

  return (
    <Page wide label="Compare experiments">
      {back}
      <header className="mb-5 flex flex-wrap items-end gap-3">
        <div className="mr-auto min-w-0">
          <h1 className="m-0 text-xl font-semibold tracking-tight">Compare experiments</h1>
          <p className="m-0 mt-1 text-sm text-fg-muted">
            On the dataset <span className="font-mono text-xs">{c.base.datasetId}</span>: the candidate’s figures minus the base’s.
          </p>
        </div>
        <button type="button" onClick={() => go({ page: 'compare', base: candidate, candidate: base })}>
          <ArrowLeftRight size={15} aria-hidden="true" /> Swap base and candidate
        </button>
      </header>

      <div className="mb-4 grid gap-4 md:grid-cols-2">
        <Side role="Base" experiment={c.base} go={go} />
        <Side role="Candidate" experiment={c.candidate} go={go} />
      </div>

      <Section title="Summary">
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Summary side by side">
            <thead className="border-b border-border bg-surface-2">
              <tr>
                <th scope="col" className={th}>
                  Metric
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Base
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Candidate
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Change
                </th>
              </tr>
            </thead>
            <tbody>
              {metrics(c).map((m) => (
                <tr key={m.label} className="border-b border-border last:border-b-0">
                  <th scope="row" className={`${td} text-left font-medium`}>
                    {m.label}
                  </th>
                  <td className={`${td} text-right tabular-nums`}>{m.base}</td>
                  <td className={`${td} text-right tabular-nums`}>{m.candidate}</td>
                  <td className={`${td} text-right`}>
                    <span className={cx('evals-delta', `evals-delta-${m.tone}`)}>
                      {m.delta}
                      {m.tone !== 'same' && <span className="sr-only">{m.tone === 'better' ? ' (better)' : ' (worse)'}</span>}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section
        title="Rows"
        actions={
          <>
            <p className="m-0 text-sm" role="status">
              <span className="font-medium text-danger-fg">{c.regressed} regressed</span> · <span className="font-medium text-success-fg">{c.improved} improved</span> · <span className="text-fg-muted">{same} the same</span>
            </p>
            <div role="group" aria-label="Show rows" className="evals-segmented">
              {(
                [
                  ['all', `All (${c.rows.length})`],
                  ['regressed', `Regressed only (${c.regressed})`],
                  ['changed', `Changed (${c.regressed + c.improved})`],
                ] as const
              ).map(([value, label]) => (
                <button key={value} type="button" aria-pressed={filter === value} onClick={() => setFilter(value)}>
                  {label}
                </button>
              ))}
            </div>
          </>
        }
      >
        {shown.length === 0 ? (
          <div className="p-4">
            <EmptyState title={filter === 'regressed' ? 'No row regressed' : 'No row changed'}>Every row scored the same or better with the candidate.</EmptyState>
          </div>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label="Rows compared">
              <thead className="border-b border-border bg-surface-2">
                <tr>
                  <th scope="col" className={`${th} w-12`}>
                    #
                  </th>
                  <th scope="col" className={th}>
                    Change
                  </th>
                  <th scope="col" className={th}>
                    Input
                  </th>
                  <th scope="col" className={th}>
                    Base output
                  </th>
                  <th scope="col" className={th}>
                    Candidate output
                  </th>
                  {shared.map((id) => (
                    <th key={id} scope="col" className={th}>
                      {id}: base → candidate
                    </th>
                  ))}
                  <th scope="col" className={`${th} text-right`}>
                    Latency
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <CompareRow key={row.index} row={row} ids={shared} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </Page>
  );
}

function Side({ role, experiment: e, go }: { role: 'Base' | 'Candidate'; experiment: Experiment; go: (route: Route) => void }) {
  return (
    <section aria-label={role} className={cx('card px-4 py-3', role === 'Candidate' && 'evals-candidate')}>
      <p className="m-0 text-xs font-medium tracking-wide text-fg-muted uppercase">{role}</p>
      <p className="m-0 mt-1 flex flex-wrap items-center gap-2">
        <a href={`#/experiments/${encodeURIComponent(e.id)}`} onClick={(ev) => (ev.preventDefault(), go({ page: 'experiment', id: e.id }))} className="font-semibold">
          {experimentName(e)}
        </a>
        <StatusBadge status={experimentBadge(e.status)} />
      </p>
      <p className="m-0 mt-1 text-sm text-fg-muted">
        <span className="font-mono text-xs">{flowLabel(e)}</span> over <span className="font-mono text-xs">{datasetLabel(e)}</span> · <When iso={e.createdAt} />
      </p>
    </section>
  );
}

const CHANGE = {
  regressed: { icon: ArrowDownRight, label: 'Regressed', className: 'bg-danger-soft text-danger-fg' },
  improved: { icon: ArrowUpRight, label: 'Improved', className: 'bg-success-soft text-success-fg' },
  same: { icon: Equal, label: 'Same', className: 'bg-surface-3 text-fg-muted' },
} as const;

function CompareRow({ row, ids }: { row: ComparedRow; ids: string[] }) {
  const look = CHANGE[row.change];
  const Icon = look.icon;
  const output = (side: ComparedRow['base']) => (!side ? <span className="text-fg-subtle">did not run</span> : side.status === 'succeeded' ? summarize(side.output, 70) : <StatusBadge status={side.status} />);
  return (
    <tr className={cx('border-b border-border last:border-b-0', `evals-row-${row.change}`)} data-change={row.change} aria-label={`Row ${row.index + 1}: ${look.label.toLowerCase()}`}>
      <td className={`${td} tabular-nums text-fg-muted`}>{row.index + 1}</td>
      <td className={td}>
        <span className={cx('inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap', look.className)}>
          <Icon size={12} aria-hidden="true" /> {look.label}
        </span>
      </td>
      <td className={`${td} max-w-xs min-w-48`}>{summarize(row.input, 70)}</td>
      <td className={`${td} max-w-xs min-w-44 text-fg-muted`}>{output(row.base)}</td>
      <td className={`${td} max-w-xs min-w-44`}>{output(row.candidate)}</td>
      {ids.map((id) => (
        <td key={id} className={`${td} whitespace-nowrap`}>
          <span className="inline-flex items-center gap-1.5">
            <ScoreCell score={row.base?.scores[id]?.score} passed={row.base?.scores[id]?.passed} reason={row.base?.scores[id]?.reason} />
            <span aria-hidden="true" className="text-fg-subtle">
              →
            </span>
            <span className="sr-only">then</span>
            <ScoreCell score={row.candidate?.scores[id]?.score} passed={row.candidate?.scores[id]?.passed} reason={row.candidate?.scores[id]?.reason} />
          </span>
        </td>
      ))}
      <td className={`${td} text-right whitespace-nowrap tabular-nums text-fg-muted`}>
        {formatMs(row.base?.durationMs)} → {formatMs(row.candidate?.durationMs)}
      </td>
    </tr>
  );
}

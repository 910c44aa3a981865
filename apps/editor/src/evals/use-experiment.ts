import { useCallback, useEffect, useState } from 'react';
import type { Experiment, ExperimentRow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { errorText } from './format';

/** How often a running experiment is asked how far it got. */
export const POLL_MS = 500;
const PAGE = 1000;
const ROWS_POLL_MS = 1500;

/** Every row finished so far, a page at a time. */
async function allRows(api: ApiClient, id: string, upTo = Infinity): Promise<ExperimentRow[]> {
  const rows: ExperimentRow[] = [];
  for (let offset = 0; offset < upTo; offset += PAGE) {
    const page = await api.listExperimentRows(id, { offset, limit: PAGE });
    rows.push(...page);
    if (page.length < PAGE) break;
  }
  return rows;
}

/**
 * An experiment and its rows, kept current while it runs: the experiment every POLL_MS, and its rows
 * (the first page) on their own, so a slow answer for the rows never holds up the progress; all of
 * them once it ends.
 */
export function useExperiment(api: ApiClient, id: string) {
  const [experiment, setExperiment] = useState<Experiment | undefined>();
  const [rows, setRows] = useState<ExperimentRow[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [rowsError, setRowsError] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setError(undefined);
    api.getExperiment(id).then(
      (e) => live && setExperiment(e),
      (e: unknown) => live && setError(errorText(`Could not load the experiment “${id}”`, e)),
    );
    return () => {
      live = false;
    };
  }, [api, id, attempt]);

  const status = experiment?.status;
  const running = status === 'running';
  useEffect(() => {
    if (!running) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const e = await api.getExperiment(id);
        if (!live) return;
        setExperiment(e);
        if (e.status === 'running') timer = setTimeout(() => void poll(), POLL_MS);
      } catch {
        if (live) timer = setTimeout(() => void poll(), POLL_MS * 4); // a blip: ask again a little later
      }
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, id, running]);

  // The rows: a page at a time while it runs, then all of them once it has ended.
  const known = status !== undefined;
  const ended = known && status !== 'running';
  useEffect(() => {
    if (!known) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchRows = async () => {
      try {
        const r = await allRows(api, id, ended ? Infinity : PAGE);
        if (!live) return;
        setRows(r);
        setRowsError(undefined);
      } catch (e) {
        if (live) setRowsError(errorText('Could not load the rows', e));
      }
      if (live && !ended) timer = setTimeout(() => void fetchRows(), ROWS_POLL_MS);
    };
    void fetchRows();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, id, known, ended, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { experiment, rows, error, rowsError, reload, setExperiment };
}

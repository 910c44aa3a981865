import { useCallback, useEffect, useRef, useState } from 'react';
import type { Experiment, ExperimentRow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { errorText } from './format';

/** How often a running experiment is asked how far it got. */
export const POLL_MS = 500;
const PAGE = 1000;

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
 * An experiment and its rows, kept current while it runs: the experiment every POLL_MS, its rows
 * (the first page) every few polls, and all of them once it ends.
 */
export function useExperiment(api: ApiClient, id: string) {
  const [experiment, setExperiment] = useState<Experiment | undefined>();
  const [rows, setRows] = useState<ExperimentRow[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const tick = useRef(0);

  const load = useCallback(() => {
    setError(undefined);
    Promise.all([api.getExperiment(id), allRows(api, id)]).then(
      ([e, r]) => {
        setExperiment(e);
        setRows(r);
      },
      (e: unknown) => setError(errorText(`Could not load the experiment “${id}”`, e)),
    );
  }, [api, id]);
  useEffect(load, [load]);

  const running = experiment?.status === 'running';
  useEffect(() => {
    if (!running) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const e = await api.getExperiment(id);
        if (!live) return;
        tick.current++;
        const ended = e.status !== 'running';
        // The rows every fourth poll while it runs (a page), and all of them when it ends.
        if (ended || tick.current % 4 === 0) {
          const r = await allRows(api, id, ended ? Infinity : PAGE);
          if (!live) return;
          setRows(r);
        }
        setExperiment(e);
        if (!ended) timer = setTimeout(() => void poll(), POLL_MS);
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

  return { experiment, rows, error, reload: load, setExperiment };
}

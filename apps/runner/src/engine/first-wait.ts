import { MAX_SUBFLOW_DEPTH } from '@trellis/schema';
import type { CheckpointStore } from './checkpoint.js';
import { runResult } from './run-result.js';
import type { RunResult } from './types.js';

/** The first wait of a run, or of the sub-flow runs it waits on (depth first), with the run that owns it. */
export async function firstWait(store: Pick<CheckpointStore, 'load'>, result: RunResult, depth = 0): Promise<{ wait: RunResult['waiting'][number]; runId: string } | undefined> {
  if (result.waiting[0]) return { wait: result.waiting[0], runId: result.runId };
  if (depth >= MAX_SUBFLOW_DEPTH) return undefined;
  const snapshot = await store.load(result.runId);
  for (const state of Object.values(snapshot?.nodes ?? {})) {
    for (const child of Object.values(state.children ?? {})) {
      const loaded = await store.load(child);
      if (loaded?.run.status !== 'waiting') continue;
      const found = await firstWait(store, runResult(loaded.run, new Map(Object.entries(loaded.nodes))), depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

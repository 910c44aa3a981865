import { useState } from 'react';
import type { Sample } from '@trellis/schema';
import type { Trace } from '../run/trace';
import type { FlowStore } from '../store/flow-store';
import { caseFromRun } from './case-from-run';
import { NameForm, SaveMessage } from '../run/NameForm';

const MAX_NAME = 100;
const MAX_CASES = 100;

/**
 * Saves the run on show as a test case of the flow: its input, mock script and answers, and its
 * output as what the case expects. Like any edit, it is undoable and kept once the flow is saved.
 */
export function SaveRunAsCase({ trace, mocks, store, samples }: { trace: Trace; mocks: Record<string, unknown> | undefined | 'unknown'; store: FlowStore; samples: readonly Sample[] }) {
  const [naming, setNaming] = useState<string | undefined>();
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>();
  const ended = ['succeeded', 'failed', 'waiting', 'cancelled'].includes(trace.status);
  if (!ended) return null;
  const trimmed = naming?.trim() ?? '';
  const replaces = samples.some((s) => s.name === trimmed);

  const save = () => {
    if (!trimmed) return setMessage({ text: 'Give the case a name.', error: true });
    if (!replaces && samples.length >= MAX_CASES) return setMessage({ text: `A flow keeps at most ${MAX_CASES} cases; delete one first.`, error: true });
    const made = caseFromRun(trimmed, trace, mocks === 'unknown' ? undefined : mocks);
    store.getState().setSamples(replaces ? samples.map((s) => (s.name === trimmed ? made : s)) : [...samples, made]);
    setNaming(undefined);
    const unknownMocks = mocks === 'unknown' && trace.mocked?.length ? ' Its mock script is not known here (the run was started elsewhere), so the case has none.' : '';
    setMessage({ text: `${replaces ? 'Replaced' : 'Saved'} case "${trimmed}": it expects ${trace.status === 'succeeded' ? 'this output' : `the run to end ${trace.status}`}. Run it in the Tests tab; save the flow to keep it.${unknownMocks}` });
  };

  return (
    <div className="save-case">
      {naming === undefined ? (
        <button type="button" onClick={() => { setMessage(undefined); setNaming(''); }}>
          Save run as test case
        </button>
      ) : (
        <NameForm label="Case name" value={naming} onValue={setNaming} maxLength={MAX_NAME} submit={replaces ? 'Replace case' : 'Save case'} onSubmit={save} onCancel={() => setNaming(undefined)} />
      )}
      <SaveMessage message={message} />
    </div>
  );
}

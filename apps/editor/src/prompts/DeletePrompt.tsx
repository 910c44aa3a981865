import { useState } from 'react';
import type { PromptUse } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { reportError, type ErrorReport } from '../publish/errors';
import { ErrorNote } from '../publish/ErrorNote';

/**
 * Deleting asks first. The runner refuses (409) while a flow's latest version uses the prompt:
 * the refusal is shown with those flows, and "Delete anyway" goes ahead (their runs then fail
 * until the reference is changed).
 */
export function DeletePrompt({ api, name, uses, onDeleted }: { api: ApiClient; name: string; uses: readonly PromptUse[] | undefined; onDeleted: () => void }) {
  const [asking, setAsking] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; uses?: PromptUse[] } | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();

  const remove = async (force: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.deletePrompt(name, force);
      onDeleted();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && !force) setRefusal({ message: e.message, ...usesIn(e.details) });
      else setError(reportError(`Could not delete “${name}”`, e));
      setBusy(false);
    }
  };
  const cancel = () => {
    setAsking(false);
    setRefusal(undefined);
    setError(undefined);
  };
  // The refusal's own list is the freshest; the page's list stands in when it has none.
  const flows = [...new Map((refusal?.uses ?? uses ?? []).map((u) => [u.flowId, u.flowName])).values()];

  return (
    <section className="prompts-panel prompts-delete" aria-label="Delete prompt">
      {!asking ? (
        <button type="button" className="prompts-danger" onClick={() => setAsking(true)}>
          Delete prompt
        </button>
      ) : (
        <div role="group" aria-label={`Delete ${name}?`}>
          {refusal === undefined ? (
            <>
              <p>
                Delete “{name}” and all its versions?{flows.length > 0 && ` Used by ${flows.join(', ')}.`}
              </p>
              <button type="button" className="prompts-danger" onClick={() => void remove(false)} disabled={busy}>
                Delete {name}
              </button>
            </>
          ) : (
            <>
              <div role="alert">
                <p>The runner did not delete it: {refusal.message}</p>
                {flows.length > 0 && <p>Flows whose latest version uses it: {flows.join(', ')}. Their runs fail until they stop referring to it.</p>}
              </div>
              <button type="button" className="prompts-danger" onClick={() => void remove(true)} disabled={busy}>
                Delete anyway
              </button>
            </>
          )}
          <button type="button" onClick={cancel} disabled={busy}>
            Cancel
          </button>
        </div>
      )}
      <ErrorNote report={error} />
    </section>
  );
}

/** The uses a 409 names in its details (`{ uses: PromptUse[] }`), when it does. */
function usesIn(details: unknown): { uses?: PromptUse[] } {
  const uses = (details as { uses?: unknown } | undefined)?.uses;
  return Array.isArray(uses) ? { uses: uses as PromptUse[] } : {};
}

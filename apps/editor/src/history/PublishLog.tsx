import { useCallback, useEffect, useState } from 'react';
import { errorMessage, type PublishRecord } from '@trellis/schema';
import type { ApiClient } from '../api';
import { formatWhen } from './history-model';

/** Told by the Publish tab when it published: the log shows the new entry without a reload. */
export const PUBLISHED_EVENT = 'trellis:published';

/**
 * The flow's publishes, newest first: which version went out under which slug, and how its
 * publish gate went, with the reason and who gave it when someone published past a failing gate.
 */
export function PublishLog({ api, flowId }: { api: ApiClient; flowId: string }) {
  const [items, setItems] = useState<PublishRecord[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = useCallback(async () => {
    try {
      setItems(await api.listPublishes(flowId));
      setError(undefined);
    } catch (e) {
      setError(`Could not list the publishes: ${errorMessage(e)}`);
    }
  }, [api, flowId]);
  useEffect(() => {
    void refresh();
    const onPublished = () => void refresh();
    window.addEventListener(PUBLISHED_EVENT, onPublished);
    return () => window.removeEventListener(PUBLISHED_EVENT, onPublished);
  }, [refresh]);

  if (error) return <p className="run-error">{error}</p>;
  if (!items?.length) return null;
  return (
    <section className="history-publishes" aria-label="Publishes">
      <h3>Publishes</h3>
      <ol>
        {items.map((p, i) => (
          <li key={i} className={p.gate === 'overridden' ? 'is-overridden' : undefined}>
            <p className="history-version-head">
              <strong>Version {p.version}</strong> → <code>/v1/flows/{p.slug}</code>
              <span className="note"> {formatWhen(p.at)}</span>
            </p>
            <p className="note">{GATE_WORDS[p.gate]}</p>
            {p.gate === 'overridden' && (
              <p className="history-note">
                Published anyway{p.by ? ` by ${p.by}` : ''}: “{p.reason}”{p.failedCases?.length ? ` (failing: ${p.failedCases.join(', ')})` : ''}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

const GATE_WORDS: Record<PublishRecord['gate'], string> = {
  passed: 'Its test cases passed the publish gate.',
  overridden: 'Its test cases failed the publish gate.',
  none: 'No publish gate.',
};

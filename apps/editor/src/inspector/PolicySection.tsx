import type { NodePolicy } from '@trellis/schema';
import { useCallback } from 'react';
import { useDraft, type CommitResult } from './drafts';

export type PolicyKey = keyof NodePolicy;
const FIELDS: { key: PolicyKey; label: string; help: string }[] = [
  { key: 'timeoutMs', label: 'Step timeout (ms)', help: 'The step fails when one attempt takes longer.' },
  { key: 'retries', label: 'Retries', help: 'Further attempts after a retryable error (a timeout, a rate limit, a 5xx).' },
  { key: 'backoffMs', label: 'Retry backoff (ms)', help: 'The pause before the first retry; it doubles for each next one.' },
];

/**
 * The node's run policy, folded away: most nodes keep their kind's default, shown as the
 * placeholder. Emptying every field removes the node's own policy.
 */
export function PolicySection({ policy, defaults, write, fieldId }: { policy: NodePolicy | undefined; defaults: Required<NodePolicy>; write: (key: PolicyKey, value: number | undefined) => void; fieldId: string }) {
  return (
    <details className="inspector-policy">
      <summary>Run policy</summary>
      {FIELDS.map((f) => (
        <PolicyNumber key={f.key} field={f} policy={policy} fallback={defaults[f.key]} write={write} fieldId={`${fieldId}-${f.key}`} />
      ))}
    </details>
  );
}

function PolicyNumber({ field, policy, fallback, write, fieldId }: { field: (typeof FIELDS)[number]; policy: NodePolicy | undefined; fallback: number; write: (key: PolicyKey, value: number | undefined) => void; fieldId: string }) {
  const value = policy?.[field.key];
  const commit = useCallback(
    (draft: string): CommitResult<number | undefined> => {
      const trimmed = draft.trim();
      const n = trimmed === '' ? undefined : Number(trimmed);
      if (n !== undefined && !Number.isInteger(n)) return { written: false };
      write(field.key, n);
      return { written: true, value: n };
    },
    [field.key, write],
  );
  const { draft, change, flush } = useDraft<number | undefined, string>({ value, toDraft: (v) => (v === undefined ? '' : String(v)), commit });
  const invalid = draft.trim() !== '' && !Number.isInteger(Number(draft.trim()));
  const id = `${fieldId}-input`;
  return (
    <div className="inspector-field">
      <label className="inspector-label" htmlFor={id}>
        {field.label}
      </label>
      <input id={id} type="text" inputMode="numeric" value={draft} placeholder={`${fallback} (default)`} aria-describedby={`${fieldId}-help`} aria-invalid={invalid || undefined} onChange={(e) => change(e.target.value)} onBlur={flush} />
      <p id={`${fieldId}-help`} className="inspector-help">
        {field.help}
      </p>
      {invalid && <p className="inspector-message inspector-message-error">Enter a whole number; the field keeps its last value until then.</p>}
    </div>
  );
}

import { useRef, useState } from 'react';
import { KEY_NAME_MAX, type ApiKey, type CreatedKey } from '@trellis/schema';
import type { ApiClient } from '../api';
import { formatTime } from '../run/describe';
import { copyText, type CopyOutcome } from './clipboard';
import { ConfirmButton } from './ConfirmButton';
import { reportError, type ErrorReport } from './errors';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';

interface Props {
  api: ApiClient;
  keys: ApiKey[] | undefined;
  /** The endpoint a new key can be limited to; none when the flow is not published. */
  slug: string | undefined;
  defaultName: string;
  /** The key just created, whose secret is on show until hidden. */
  fresh: CreatedKey | undefined;
  onCreated: (created: CreatedKey) => void;
  onHide: () => void;
  onRevoke: (key: ApiKey) => Promise<void>;
}

/** Create keys (the secret shown once), see the active ones and revoke them. */
export function ApiKeys({ api, keys, slug, defaultName, fresh, onCreated, onHide, onRevoke }: Props) {
  const [name, setName] = useState(defaultName);
  // Limited to this endpoint unless the person widens it: a key that may call every endpoint is a choice, not a default.
  const [onlyThis, setOnlyThis] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await api.createKey({ name: name.trim(), ...(onlyThis && slug ? { slugs: [slug] } : {}) }));
    } catch (e) {
      setError(reportError('Could not create the key', e));
    } finally {
      setBusy(false);
    }
  };

  const active = (keys ?? []).filter((k) => !k.revokedAt);
  const revoked = (keys ?? []).length - active.length;
  return (
    <div className="publish-keys">
      <form
        aria-label="Create an API key"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <Field label="Key name">{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={KEY_NAME_MAX} autoComplete="off" />}</Field>
        <label className="inline">
          <input type="checkbox" checked={onlyThis && slug !== undefined} disabled={slug === undefined} onChange={(e) => setOnlyThis(e.target.checked)} />
          Only for this endpoint{slug ? ` (${slug})` : ' (publish first)'}
        </label>
        {(!onlyThis || slug === undefined) && <p className="note">This key may call every published endpoint, including ones published later.</p>}
        <button type="submit" disabled={busy || name.trim() === ''}>
          Create API key
        </button>
        <ErrorNote report={error} />
      </form>
      {fresh && <FreshKey created={fresh} onHide={onHide} />}
      {keys && active.length === 0 && <p className="note">No active keys.</p>}
      {active.length > 0 && (
        <ul aria-label="API keys">
          {active.map((k) => (
            <li key={k.id}>
              <div>
                <strong>{k.name}</strong> <code>{k.prefix}…</code>
              </div>
              <div className="note">
                Created {formatTime(k.createdAt)} · may call {k.slugs ? k.slugs.join(', ') || 'nothing' : 'every endpoint'}
                {k.lastUsedAt ? ` · last used ${formatTime(k.lastUsedAt)}` : ''}
              </div>
              <ConfirmButton
                label={`Revoke ${k.name} (${k.prefix}…)`}
                question={`Revoke "${k.name}"? Every call made with it is refused from now on; this cannot be undone.`}
                confirmLabel={`Yes, revoke ${k.name}`}
                failure={`Could not revoke ${k.name}`}
                onConfirm={() => onRevoke(k)}
              />
            </li>
          ))}
        </ul>
      )}
      {revoked > 0 && <p className="note">{revoked} revoked key{revoked === 1 ? '' : 's'} not shown.</p>}
    </div>
  );
}

/** The secret, on show this once, with a way to copy it. */
function FreshKey({ created, onHide }: { created: CreatedKey; onHide: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<CopyOutcome | undefined>();
  return (
    <div className="publish-fresh-key">
      <Field label="New API key">
        {(id) => <input id={id} ref={field} readOnly value={created.secret} spellCheck={false} onFocus={(e) => e.target.select()} />}
      </Field>
      <button type="button" onClick={() => void copyText(created.secret, field.current).then(setCopied)}>
        Copy key
      </button>
      <span role="status" className={copied && !copied.ok ? 'field-problem' : 'note'}>
        {copied?.message}
      </span>
      <p className="note">
        Copy "{created.key.name}" now: it will not be shown again (the runner keeps only its hash). The curl command below uses it while it is on show.
      </p>
      <button type="button" onClick={onHide}>
        Hide the key
      </button>
    </div>
  );
}

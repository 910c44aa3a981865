import { useEffect, useState } from 'react';
import type { PromptVersion, PromptVersionSummary } from '@trellis/schema';
import { ConfirmButton } from '../publish/ConfirmButton';
import { reportError, type ErrorReport } from '../publish/errors';
import { ErrorNote } from '../publish/ErrorNote';
import { formatTime } from '../run/describe';
import { DiffView } from './DiffView';

interface Props {
  versions: readonly PromptVersionSummary[];
  latest: number;
  getVersion: (version: number) => Promise<PromptVersion>;
  /** Makes a new version with an old one's content. */
  onRestore: (version: number) => Promise<void>;
  /** Restoring discards the unsaved edit: the question says so. */
  dirty: boolean;
}

/** Every version (who, when, why), any two compared side by side, and an old one restored as the next version. */
export function History({ versions, latest, getVersion, onRestore, dirty }: Props) {
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const [shown, setShown] = useState<{ from: PromptVersion; to: PromptVersion } | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();

  // A new version (saved or restored) becomes the default right-hand side.
  useEffect(() => {
    setTo(latest);
    setFrom(Math.max(1, latest - 1));
  }, [latest]);

  const compare = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const [a, b] = await Promise.all([getVersion(from), getVersion(to)]);
      setShown({ from: a, to: b });
    } catch (e) {
      setError(reportError(`Could not compare version ${from} with version ${to}`, e));
    } finally {
      setBusy(false);
    }
  };

  const numbers = versions.map((v) => v.version);
  return (
    <section className="prompts-panel prompts-history" aria-label="History">
      <h2>History</h2>
      <table className="prompts-versions">
        <caption className="prompts-sr-only">Versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Saved</th>
            <th scope="col">By</th>
            <th scope="col">Note</th>
            <th scope="col">
              <span className="prompts-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">
                {v.version}
                {v.version === latest && ' (latest)'}
              </th>
              <td>{formatTime(v.createdAt)}</td>
              <td>{v.author ?? '—'}</td>
              <td>{v.note ?? '—'}</td>
              <td>
                {v.version !== latest && (
                  <ConfirmButton
                    label={`Restore version ${v.version}`}
                    question={`Restore version ${v.version} as version ${latest + 1}?${dirty ? ' Your unsaved changes are discarded.' : ''} No version is lost: the history keeps every one.`}
                    confirmLabel={`Yes, restore version ${v.version}`}
                    failure={`Could not restore version ${v.version}`}
                    onConfirm={() => onRestore(v.version)}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {numbers.length > 1 && (
        <div className="prompts-compare" role="group" aria-label="Compare two versions">
          <VersionSelect label="From version" numbers={numbers} value={from} onChange={setFrom} />
          <VersionSelect label="To version" numbers={numbers} value={to} onChange={setTo} />
          <button type="button" onClick={() => void compare()} disabled={busy}>
            Compare
          </button>
        </div>
      )}
      <ErrorNote report={error} />
      {shown && <DiffView from={shown.from} to={shown.to} />}
    </section>
  );
}

function VersionSelect({ label, numbers, value, onChange }: { label: string; numbers: number[]; value: number; onChange: (version: number) => void }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}

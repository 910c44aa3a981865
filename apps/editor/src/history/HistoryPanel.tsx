import { errorMessage, diffFlows, type Flow, type FlowVersionSummary } from '@trellis/schema';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import type { FlowStore } from '../store/flow-store';
import { AuthorField } from './AuthorField';
import { authorField } from '../author';
import { FlowDiffView } from './FlowDiffView';
import { defaultPair, formatWhen, newestFirst } from './history-model';
import { RestoreDialog } from './RestoreDialog';
import { PublishLog } from './PublishLog';

/** A version number, or the canvas's unsaved document. */
type Side = number | 'canvas';

const sideLabel = (side: Side) => (side === 'canvas' ? 'the canvas (not saved yet)' : `version ${side}`);

/**
 * The flow's versions, newest first (who saved each, when, and why), the differences between any
 * two of them node by node, and restoring an old one as a new version.
 */
export function HistoryPanel({ api, store, onSaveWithNote }: { api: ApiClient; store: FlowStore; onSaveWithNote: () => void }) {
  const flowId = useStore(store, (s) => s.document.id);
  const savedVersion = useStore(store, (s) => s.savedVersion);
  const dirty = useStore(store, (s) => s.dirty);

  const ids = useId();
  const [versions, setVersions] = useState<FlowVersionSummary[] | undefined>();
  const [listError, setListError] = useState<string | undefined>();
  const [chosenPair, setPair] = useState<{ from: Side; to: Side } | undefined>();
  // The canvas, once saved, is the saved version.
  const pair = useMemo(() => {
    if (!chosenPair || dirty || savedVersion === undefined) return chosenPair;
    const saved = (side: Side): Side => (side === 'canvas' ? savedVersion : side);
    return { from: saved(chosenPair.from), to: saved(chosenPair.to) };
  }, [chosenPair, dirty, savedVersion]);
  // The canvas's document only when it is compared: otherwise a drag would redraw the panel at every frame.
  const usesCanvas = pair?.from === 'canvas' || pair?.to === 'canvas';
  const canvas = useStore(store, (s) => (usesCanvas ? s.document : undefined));
  // Once the person picks versions, a new save does not move their choice.
  const picked = useRef(false);

  const refresh = useCallback(async () => {
    try {
      const list = newestFirst(await api.listVersions(flowId));
      setVersions(list);
      setListError(undefined);
      if (!picked.current) setPair(defaultPair(list));
    } catch (e) {
      setListError(`Could not list the versions: ${errorMessage(e)}`);
    }
  }, [api, flowId]);
  // Every save or restore makes a version: the list follows.
  useEffect(() => {
    void refresh();
  }, [refresh, savedVersion]);

  const choose = (side: 'from' | 'to', value: string) => {
    picked.current = true;
    const next: Side = value === 'canvas' ? 'canvas' : Number(value);
    setPair({ from: pair?.from ?? next, to: pair?.to ?? next, [side]: next });
  };

  // Documents of the versions compared, fetched once each (a version never changes).
  const [docs, setDocs] = useState<ReadonlyMap<number, Flow>>(new Map());
  const [diffError, setDiffError] = useState<string | undefined>();
  useEffect(() => {
    if (!pair) return;
    const missing = [pair.from, pair.to].filter((s): s is number => s !== 'canvas' && !docs.has(s));
    if (!missing.length) return;
    let live = true;
    Promise.all(missing.map((v) => api.getVersion(flowId, v))).then(
      (found) => {
        if (!live) return;
        setDiffError(undefined);
        setDocs((known) => new Map([...known, ...found.map((f) => [f.version, f.document] as const)]));
      },
      (e: unknown) => live && setDiffError(`Could not load ${missing.map((v) => `version ${v}`).join(' and ')}: ${errorMessage(e)}`),
    );
    return () => {
      live = false;
    };
  }, [api, flowId, pair, docs]);

  const docOf = useCallback((side: Side) => (side === 'canvas' ? canvas : docs.get(side)), [canvas, docs]);
  const diff = useMemo(() => {
    if (!pair) return undefined;
    const from = docOf(pair.from);
    const to = docOf(pair.to);
    return from && to ? diffFlows(from, to) : undefined;
  }, [pair, docOf]);

  const [confirming, setConfirming] = useState<number | undefined>();
  const [restoring, setRestoring] = useState(false);
  const [status, setStatus] = useState<string | undefined>();
  const [restoreError, setRestoreError] = useState<string | undefined>();
  const latest = versions?.[0]?.version;

  const restore = async (version: number) => {
    setConfirming(undefined);
    setRestoring(true);
    setRestoreError(undefined);
    setStatus(undefined);
    try {
      const restored = await api.restoreFlow(flowId, { version, message: `Restored version ${version}`, ...authorField() });
      store.getState().load(restored.document, restored.version);
      picked.current = false;
      setStatus(`Restored version ${version} as version ${restored.version}.`);
    } catch (e) {
      setRestoreError(`Could not restore version ${version}: ${errorMessage(e)}`);
    } finally {
      setRestoring(false);
    }
  };

  const options = (versions ?? []).map((v) => (
    <option key={v.version} value={v.version}>
      Version {v.version}
      {v.version === savedVersion ? ' (current)' : ''}
    </option>
  ));
  const canvasOption = dirty ? <option value="canvas">The canvas (not saved yet)</option> : null;

  return (
    <section className="history-panel" aria-label="History">
      <h2>History</h2>
      <AuthorField />
      <p className="history-save">
        <button type="button" onClick={onSaveWithNote} disabled={!dirty}>
          Save with note…
        </button>{' '}
        <span className="note">{dirty ? 'Saves your changes as a new version, with a note on what changed.' : 'Nothing to save yet.'}</span>
      </p>
      {listError && (
        <p role="alert" className="run-error">
          {listError}{' '}
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </p>
      )}
      {status && (
        <p role="status" className="history-status">
          {status}
        </p>
      )}
      {restoreError && (
        <p role="alert" className="run-error">
          {restoreError}
        </p>
      )}
      {versions === undefined && !listError && <p aria-live="polite">Loading the versions…</p>}
      {versions?.length === 0 && <p className="note">This flow has no saved versions yet.</p>}
      {versions && versions.length > 0 && (
        <ol className="history-versions" aria-label="Versions">
          {versions.map((v) => (
            <li key={v.version} className={v.version === savedVersion ? 'history-current' : undefined} aria-label={`Version ${v.version}`}>
              <p className="history-version-head">
                <strong>Version {v.version}</strong>
                {v.version === savedVersion && <span className="history-badge">current</span>}
                <span className="note"> {formatWhen(v.createdAt)}</span>
                {v.author && <span className="history-author-name"> by {v.author}</span>}
              </p>
              {v.message ? <p className="history-note">{v.message}</p> : <p className="note">No change note.</p>}
              {v.version !== savedVersion && (
                <button type="button" disabled={restoring} onClick={() => setConfirming(v.version)}>
                  Restore version {v.version}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {versions && versions.length > 0 && (
        <fieldset className="history-compare">
          <legend>Compare</legend>
          <label htmlFor={`${ids}-from`}>From</label>
          <select id={`${ids}-from`} value={pair?.from ?? ''} onChange={(e) => choose('from', e.target.value)}>
            {pair === undefined && <option value="">Choose a version</option>}
            {options}
            {canvasOption}
          </select>
          <label htmlFor={`${ids}-to`}>To</label>
          <select id={`${ids}-to`} value={pair?.to ?? ''} onChange={(e) => choose('to', e.target.value)}>
            {pair === undefined && <option value="">Choose a version</option>}
            {options}
            {canvasOption}
          </select>
        </fieldset>
      )}
      {versions?.length === 1 && !dirty && <p className="note">Save a change to compare it with this version.</p>}
      {diffError && (
        <p role="alert" className="run-error">
          {diffError}
        </p>
      )}
      {pair && diff && <FlowDiffView diff={diff} title={`Changes from ${sideLabel(pair.from)} to ${sideLabel(pair.to)}`} />}
      {pair && !diff && !diffError && <p aria-live="polite">Loading the versions to compare…</p>}
      <PublishLog api={api} flowId={flowId} />
      {confirming !== undefined && (
        <RestoreDialog version={confirming} latest={latest} dirty={dirty} onRestore={() => void restore(confirming)} onCancel={() => setConfirming(undefined)} />
      )}
    </section>
  );
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Prompt } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { LeaveDialog } from '../LeaveDialog';
import { guardLeaving } from '../leave-guard';
import { reportError, type ErrorReport } from '../publish/errors';
import { readAuthor, writeAuthor } from '../author';
import { DeletePrompt } from './DeletePrompt';
import { draftOf, isDirty, updateOf, type PromptDraft } from './draft';
import { History } from './History';
import { PromptEditor } from './PromptEditor';
import { tagOptions } from './tags';
import { TryIt } from './TryIt';
import { Usage } from './Usage';
import { usePrompt, useVersionCache } from './use-prompt';

/**
 * One library prompt: edit it (each save a new version with a change note), its history with
 * side-by-side diffs and restore, the flows that use it, "Try it" on a model, and delete.
 */
export function PromptPage({ api, name, onClose }: { api: ApiClient; name: string; onClose: () => void }) {
  const { state, reload } = usePrompt(api, name);
  const getVersion = useVersionCache(api, name);
  const [draft, setDraft] = useState<PromptDraft | undefined>();
  const [author, setAuthor] = useState(readAuthor);
  const [status, setStatus] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ErrorReport | undefined>();
  const [conflict, setConflict] = useState<string | undefined>();
  const [leaving, setLeaving] = useState<(() => void) | undefined>();
  const [allTags, setAllTags] = useState<string[]>([]);

  const prompt = state.status === 'ready' ? state.prompt : undefined;
  const dirty = draft !== undefined && isDirty(draft);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  // A fresh read of the prompt replaces an edit only when there is nothing unsaved in it.
  useEffect(() => {
    if (prompt) setDraft((current) => (current && isDirty(current) ? current : draftOf(prompt)));
  }, [prompt]);

  useEffect(() => {
    let live = true;
    api.listPrompts({ limit: 200 }).then(
      (items) => live && setAllTags(items.flatMap((p) => p.tags)),
      () => undefined, // only the suggestions are missing; the tags can still be typed
    );
    return () => {
      live = false;
    };
  }, [api]);
  const options = useMemo(() => tagOptions(allTags), [allTags]);

  /** Reads the prompt again and starts the edit over from its latest version. */
  const restart = useCallback(async (): Promise<Prompt | undefined> => {
    try {
      const fresh = await reload();
      setDraft(draftOf(fresh));
      setConflict(undefined);
      return fresh;
    } catch {
      return undefined; // the page says why
    }
  }, [reload]);

  const save = async (): Promise<boolean> => {
    if (!draft) return false;
    setSaving(true);
    setSaveError(undefined);
    setConflict(undefined);
    writeAuthor(author);
    try {
      const saved = await api.updatePrompt(name, updateOf(draft, author));
      setStatus(saved.version === draft.baseVersion ? `Nothing changed: still version ${saved.version}.` : `Saved version ${saved.version}.`);
      await restart();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setConflict(`Not saved: someone saved another version of “${name}” after version ${draft.baseVersion}, which this edit started from. (${e.message})`);
      } else setSaveError(reportError('Could not save the version', e));
      return false;
    } finally {
      setSaving(false);
    }
  };

  const restore = async (version: number) => {
    const saved = await api.restorePrompt(name, { version, ...(author.trim() ? { author: author.trim() } : {}) });
    setStatus(`Restored version ${version} as version ${saved.version}.`);
    await restart();
  };

  // Unsaved changes: reloading or closing the tab asks (the browser's prompt), and so does
  // leaving inside the app (our dialog, through the app's leave guard).
  useEffect(() => {
    const onUnload = (event: BeforeUnloadEvent) => {
      if (!dirtyRef.current) return;
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    const unguard = guardLeaving((leave) => (dirtyRef.current ? setLeaving(() => leave) : leave()));
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      unguard();
    };
  }, []);

  /** A deleted prompt has nothing left to save: leave without asking. */
  const leaveDeleted = () => {
    dirtyRef.current = false;
    onClose();
  };

  const saveAndLeave = async () => {
    const leave = leaving;
    setLeaving(undefined);
    if (await save()) leave?.();
  };

  return (
    <main className="prompts-page">
      <header className="prompts-header">
        <button type="button" onClick={onClose}>
          Back to prompts
        </button>
        <h1>{name}</h1>
        {prompt && <span className="prompts-meta">latest version {prompt.latestVersion}</span>}
        <span className="prompts-dirty" aria-live="polite">
          {draft ? (dirty ? 'Unsaved changes' : 'Saved') : ''}
        </span>
      </header>
      <p role="status" className="prompts-status">
        {status}
      </p>
      {state.status === 'loading' && <p aria-live="polite">Loading…</p>}
      {state.status === 'failed' && (
        <div role="alert" className="prompts-error">
          <p>{state.missing ? `There is no prompt named “${name}” (it may have been deleted).` : `Could not load “${name}”: ${state.error}`}</p>
          {!state.missing && (
            <button type="button" onClick={() => void reload().catch(() => undefined)}>
              Try again
            </button>
          )}
        </div>
      )}
      {state.status === 'ready' && draft && (
        <div className="prompts-columns">
          <div className="prompts-column">
            <PromptEditor
              draft={draft}
              onChange={setDraft}
              tagOptions={options}
              author={author}
              onAuthor={setAuthor}
              busy={saving}
              onSave={() => void save()}
              {...(saveError ? { error: saveError } : {})}
              {...(conflict ? { conflict: { message: conflict, onReload: () => void restart() } } : {})}
            />
            <TryIt api={api} name={name} versions={(state.versions ?? []).map((v) => v.version)} latest={state.prompt.latestVersion} draftTemplate={draft.template} getVersion={getVersion} />
          </div>
          <div className="prompts-column">
            {state.versionsError && (
              <p role="alert" className="prompts-error">
                Could not load the history: {state.versionsError}
              </p>
            )}
            {state.versions && <History versions={state.versions} latest={state.prompt.latestVersion} getVersion={getVersion} onRestore={restore} dirty={dirty} />}
            <Usage uses={state.usage} latest={state.prompt.latestVersion} {...(state.usageError ? { error: state.usageError } : {})} />
            <DeletePrompt api={api} name={name} uses={state.usage} onDeleted={leaveDeleted} />
          </div>
        </div>
      )}
      {leaving && (
        <LeaveDialog
          lost="The edits to this prompt since the last version would be lost."
          saveLabel="Save version and leave"
          onSave={() => void saveAndLeave()}
          onDiscard={() => {
            const leave = leaving;
            setLeaving(undefined);
            leave();
          }}
          onStay={() => setLeaving(undefined)}
        />
      )}
    </main>
  );
}

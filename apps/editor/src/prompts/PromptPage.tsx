import { ArrowLeft, FileText } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Prompt } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { LeaveDialog } from '../LeaveDialog';
import { guardLeaving } from '../leave-guard';
import { reportError, type ErrorReport } from '../publish/errors';
import { readAuthor, writeAuthor } from '../author';
import { cx } from '../ui/cx';
import { IconButton } from '../ui/IconButton';
import { DeletePrompt } from './DeletePrompt';
import { draftOf, isDirty, updateOf, type PromptDraft } from './draft';
import { History } from './History';
import { PromptEditor } from './PromptEditor';
import { tagOptions } from './tags';
import { TryIt } from './TryIt';
import { Usage } from './Usage';
import { usePrompt, useVersionCache } from './use-prompt';

/*
 * The page's panels (editor, Try it, history, usage, delete) as cards of the design system. They
 * carry the `prompts-panel` class of the older stylesheet, which is unlayered, so these win with `!`.
 */
const PANELS = cx(
  'mx-auto max-w-[90rem] px-6 py-5',
  '[&_.prompts-panel]:mb-5! [&_.prompts-panel]:rounded-xl! [&_.prompts-panel]:border-border! [&_.prompts-panel]:bg-surface! [&_.prompts-panel]:px-5! [&_.prompts-panel]:pb-5! [&_.prompts-panel]:pt-3! [&_.prompts-panel]:shadow-[var(--shadow)]!',
  '[&_.prompts-panel>h2]:mb-3! [&_.prompts-panel>h2]:text-[0.95rem]! [&_.prompts-panel>h2]:font-semibold!',
);

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
    <main className="h-full overflow-auto" aria-label={`Prompt ${name}`}>
      <header className="sticky top-0 z-10 flex items-center gap-3 border-b border-border bg-surface/95 px-6 py-2.5 backdrop-blur">
        <IconButton label="Back to prompts" icon={ArrowLeft} className="btn-ghost" onClick={onClose} />
        <span className="grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-[color-mix(in_srgb,var(--cat-ai)_14%,transparent)] text-cat-ai" aria-hidden="true">
          <FileText size={16} />
        </span>
        <div className="min-w-0">
          <h1 className="m-0 truncate font-mono text-base font-semibold">{name}</h1>
          {prompt && <p className="m-0 text-xs text-fg-subtle">Latest version {prompt.latestVersion} · used as <code>{name}@{prompt.latestVersion}</code> or <code>{name}@latest</code></p>}
        </div>
        <span
          className={cx('ml-auto rounded-full px-2.5 py-0.5 text-xs font-medium', !draft ? 'hidden' : dirty ? 'bg-warning-soft text-warning-fg' : 'bg-success-soft text-success-fg')}
          aria-live="polite"
        >
          {draft ? (dirty ? 'Unsaved changes' : 'Saved') : ''}
        </span>
      </header>
      <div className={PANELS}>
      <p role="status" className="m-0 mb-3 text-sm text-success-fg empty:hidden">
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
        <div className="grid grid-cols-1 items-start gap-5 xl:grid-cols-[minmax(0,1.15fr)_minmax(0,1fr)]">
          <div className="min-w-0">
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
          <div className="min-w-0">
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
      </div>
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

import { errorMessage, type PromptRef, type PromptUse } from '@trellis/schema';
import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../../api';
import { checkTemplateText, type TemplateEnv } from '../scope';
import { newerVersion, resolvedVersion } from './prompt-ref-model';
import { usePromptList, usePromptVersion, usePromptVersions } from './use-library';

interface Props {
  api: ApiClient;
  /** The field's label, e.g. "Prompt" or "Instructions". */
  label: string;
  help?: string | undefined;
  fieldId: string;
  /** The longest template the field takes. */
  maxLength?: number | undefined;
  /** The reference in the config; undefined until a prompt is picked. */
  current: PromptRef | undefined;
  env: TemplateEnv;
  onPick: (name: string, version: number | 'latest') => void;
  /** The text on show (or undefined), so switching back to inline can copy it in. */
  onText: (shown: { ref: string; text: string } | undefined) => void;
}

const when = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
};

/** Which library prompt, which version ("latest" or a number), that version's text, and whether a newer one exists. */
export function LibraryPicker({ api, label, help, fieldId, maxLength, current, env, onPick, onText }: Props) {
  const list = usePromptList(api);
  const name = current?.name;
  const versions = usePromptVersions(api, name);
  const summary = list.data?.find((p) => p.name === name);
  const latest = versions.data?.[0]?.version ?? summary?.latestVersion;
  const shownVersion = current ? resolvedVersion(current.version, latest) : undefined;
  const version = usePromptVersion(api, name, shownVersion);
  const newer = current ? newerVersion(current.version, latest) : undefined;
  const text = version.data?.template;

  useEffect(() => {
    onText(name !== undefined && shownVersion !== undefined && text !== undefined ? { ref: `${name} version ${shownVersion}`, text } : undefined);
  }, [name, shownVersion, text, onText]);

  const check = useMemo(() => (text === undefined ? undefined : checkTemplateText(text, env.scope)), [text, env]);
  // The paths the text reads (`input.message`), as the inline editor lists them; the library's top-level names otherwise.
  const variables = check?.variables.length ? check.variables : (version.data?.variables ?? []);

  const pickPrompt = (picked: string) => {
    if (!picked) return;
    const found = list.data?.find((p) => p.name === picked);
    // A new pick pins the version there is now: runs stay the same until someone moves the pin.
    onPick(picked, found?.latestVersion ?? 'latest');
  };
  const pickVersion = (value: string) => {
    if (name) onPick(name, value === 'latest' ? 'latest' : Number(value));
  };

  const promptId = `${fieldId}-library-prompt`;
  const versionId = `${fieldId}-library-version`;
  const known = list.data ?? [];
  return (
    <div className="prompt-ref-picker" role="group" aria-label={`${label} from the library`}>
      <div className="inspector-label" aria-hidden="true">
        {label}
      </div>
      {help && <p className="inspector-help">{help}</p>}
      <div className="prompt-ref-choice">
        <label htmlFor={promptId}>Library prompt</label>
        <select id={promptId} aria-label={`${label}: library prompt`} value={name ?? ''} onChange={(e) => pickPrompt(e.target.value)}>
          {name === undefined && <option value="">{list.loading ? 'Loading the library…' : 'Choose a prompt…'}</option>}
          {name !== undefined && !summary && <option value={name}>{list.data ? `${name} (not in the library)` : name}</option>}
          {known.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
              {p.description ? ` — ${p.description}` : ''}
            </option>
          ))}
        </select>
        {name !== undefined && (
          <>
            <label htmlFor={versionId}>Version</label>
            <select id={versionId} aria-label={`${label}: version`} value={String(current?.version ?? 'latest')} onChange={(e) => pickVersion(e.target.value)}>
              <option value="latest">Latest{latest !== undefined ? ` (now v${latest})` : ''}</option>
              {current && current.version !== 'latest' && !versions.data?.some((v) => v.version === current.version) && (
                <option value={current.version}>v{current.version}{versions.data ? ' (does not exist)' : ''}</option>
              )}
              {versions.data?.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} · {when(v.createdAt)}
                  {v.note ? ` · ${v.note}` : ''}
                </option>
              ))}
            </select>
          </>
        )}
      </div>
      {list.error && (
        <p role="alert" className="inspector-message inspector-message-error">
          Could not list the library prompts: {list.error}{' '}
          <button type="button" onClick={list.reload}>
            Try again
          </button>
        </p>
      )}
      {list.data?.length === 0 && name === undefined && (
        <p className="inspector-note">
          The library has no prompts yet. Create one on the <a href="#/prompts">Prompts</a> page.
        </p>
      )}
      {versions.error && (
        <p role="alert" className="inspector-message inspector-message-error">
          {versions.status === 404
            ? `There is no prompt "${name}" in the library: runs of this flow will fail until it exists. Pick another prompt or switch to inline text.`
            : `Could not read the versions of "${name}": ${versions.error}`}
        </p>
      )}
      {newer !== undefined && name && (
        <div className="prompt-ref-newer" role="status">
          <span>
            A newer version exists (v{newer}). This node is pinned to v{String(current?.version)}.
          </span>{' '}
          <button type="button" onClick={() => onPick(name, newer)}>
            Use v{newer}
          </button>
        </div>
      )}
      {current?.version === 'latest' && latest !== undefined && (
        <p className="inspector-note">Each run uses the newest version when it starts; now that is v{latest}. The run's trace says which one it used.</p>
      )}
      {version.error && (
        <p role="alert" className="inspector-message inspector-message-error">
          {version.status === 404 ? `Version ${shownVersion} of "${name}" does not exist: pick another version.` : `Could not read ${name} v${shownVersion}: ${version.error}`}
        </p>
      )}
      {version.data && (
        <div className="prompt-ref-version">
          <p className="inspector-note">
            v{version.data.version}
            {version.data.author ? ` by ${version.data.author}` : ''}
            {version.data.note ? `: ${version.data.note}` : ''}
          </p>
          <pre className="prompt-ref-text" aria-label={`Text of ${version.data.name} v${version.data.version}`} tabIndex={0}>
            {version.data.template}
          </pre>
          {variables.length > 0 && (
            <p className="inspector-note inspector-variables">
              Variables:{' '}
              {variables.map((v) => (
                <code key={v}>{v}</code>
              ))}
            </p>
          )}
          {check?.syntaxError && <p className="inspector-message inspector-message-error">The library text: {check.syntaxError}</p>}
          {check?.unknown.map((warning) => (
            <p key={warning} className="inspector-message inspector-message-warning">
              <span className="inspector-sr-only">Warning: </span>
              {warning}
            </p>
          ))}
          {maxLength !== undefined && version.data.template.length > maxLength && (
            <p className="inspector-message inspector-message-error">This text is longer than the field takes ({maxLength} characters): runs will refuse it.</p>
          )}
          <p className="inspector-note">
            <a href={`#/prompts/${encodeURIComponent(version.data.name)}`}>Open "{version.data.name}" in the library</a> to edit it; edits make new versions.
          </p>
          <PromptUsage api={api} name={version.data.name} />
        </div>
      )}
    </div>
  );
}

/** Which flows use the prompt, at which version: read when opened. */
function PromptUsage({ api, name }: { api: ApiClient; name: string }) {
  const [uses, setUses] = useState<PromptUse[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = () => {
    setError(undefined);
    api.promptUsage(name).then(setUses, (e: unknown) => setError(`Could not read where "${name}" is used: ${errorMessage(e)}`));
  };
  return (
    <details className="prompt-ref-usage" onToggle={(e) => (e.currentTarget.open ? load() : undefined)}>
      <summary>Where "{name}" is used</summary>
      {error && <p role="alert">{error}</p>}
      {uses && uses.length === 0 && <p className="inspector-note">No saved flow uses it yet (a flow counts once saved).</p>}
      {uses && uses.length > 0 && (
        <ul>
          {uses.map((u) => (
            <li key={`${u.flowId}-${u.nodeId}-${u.field}`}>
              {u.flowName} (v{u.flowVersion}) · {u.nodeName ?? u.nodeId}: {u.pinned === 'latest' ? 'latest' : `v${u.pinned}`}
              {u.outdated ? ' (a newer version exists)' : ''}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

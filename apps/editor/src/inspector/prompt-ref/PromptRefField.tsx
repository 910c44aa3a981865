import type { FieldHint } from '@trellis/nodes';
import type { Problem } from '@trellis/schema';
import { useState, type ReactNode } from 'react';
import type { ApiClient } from '../../api';
import { Messages, problemMessages } from '../fields/FieldShell';
import type { TemplateEnv } from '../scope';
import { LibraryPicker } from './LibraryPicker';
import { librarySource, modeOf, parsedRef, switchSource, type SourceMemory, type SourceMode } from './prompt-ref-model';

interface Props {
  hint: FieldHint;
  /** The config value at the hint's `promptRef.path`: inline text (or `{ template }`) or `{ ref }`. */
  source: unknown;
  /** Writes that value: one undo step. */
  writeSource: (value: unknown) => void;
  api: ApiClient;
  env: TemplateEnv;
  fieldId: string;
  /** The store's problems about this field, shown here while the inline control is not. */
  problems: readonly Problem[];
  /** The field's inline control (the template editor). */
  children: ReactNode;
}

/**
 * A template field that may take its text from the prompt library: "Inline text" shows the
 * field's own editor; "Library prompt" picks a prompt and a version, shows that version's text
 * read-only, and says when a newer version exists.
 */
export function PromptRefField({ hint, source, writeSource, api, env, fieldId, problems, children }: Props) {
  const stored = modeOf(source);
  // "Library prompt" chosen but no prompt picked yet: the config keeps its inline text meanwhile.
  const [choosing, setChoosing] = useState(false);
  const mode: SourceMode = stored === 'library' || choosing ? 'library' : 'inline';
  const [copied, setCopied] = useState<string | undefined>();
  // The text of the version on show, to copy in when switching back to inline.
  const [shownText, setShownText] = useState<{ ref: string; text: string } | undefined>();
  // What the other mode held: switching back gives it back (see `switchSource`).
  const [memory, setMemory] = useState<SourceMemory>({});
  const ref = parsedRef(source);

  const toInline = () => {
    setChoosing(false);
    const next = switchSource(hint, 'inline', source, memory, shownText);
    setMemory(next.memory);
    if (!next.write) return;
    writeSource(next.value);
    setCopied(next.note);
  };
  const toLibrary = () => {
    setCopied(undefined);
    const next = switchSource(hint, 'library', source, memory);
    setMemory(next.memory);
    if (next.write) writeSource(next.value);
    else if (stored !== 'library') setChoosing(true);
  };

  const group = `${fieldId}-source`;
  return (
    <div className="prompt-ref">
      <fieldset className="prompt-ref-toggle">
        <legend className="inspector-sr-only">{hint.label} source</legend>
        <label>
          <input type="radio" name={group} checked={mode === 'inline'} onChange={toInline} />
          Inline text
        </label>
        <label>
          <input type="radio" name={group} checked={mode === 'library'} onChange={toLibrary} />
          Library prompt
        </label>
      </fieldset>
      {mode === 'inline' ? (
        <>
          {children}
          {copied && (
            <p className="inspector-note" role="status">
              {copied}
            </p>
          )}
        </>
      ) : (
        <>
          <LibraryPicker
            api={api}
            label={hint.label}
            help={hint.help}
            fieldId={fieldId}
            maxLength={hint.promptRef?.maxLength}
            current={ref}
            env={env}
            onPick={(name, version) => {
              setChoosing(false);
              writeSource(librarySource(name, version));
            }}
            onText={setShownText}
          />
          <Messages id={`${fieldId}-messages`} messages={problemMessages(problems)} />
        </>
      )}
    </div>
  );
}

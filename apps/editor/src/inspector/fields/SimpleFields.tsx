/** Text, number, checkbox and select fields: plain form controls with a draft where typing is involved. */
import { useCallback } from 'react';
import { asText, useDraft, useTextDraft, type CommitResult } from '../drafts';
import { describedBy, FieldShell, helpId, Messages, messagesId, problemMessages, type FieldProps, type Message } from './FieldShell';

const placeholderOf = (fallback: unknown) => (fallback === undefined ? undefined : asText(fallback));

/** `text` and `textarea`: an empty field removes the key, so the kind's default (if any) applies. */
export function TextField({ hint, value, write, problems, fieldId, fallback }: FieldProps) {
  const { draft, change, flush } = useTextDraft(value, write);
  const messages = problemMessages(problems);
  const common = {
    id: `${fieldId}-input`,
    value: draft,
    placeholder: placeholderOf(fallback),
    'aria-describedby': describedBy(fieldId, hint.help, messages),
    'aria-invalid': problems.some((p) => p.severity === 'error') || undefined,
    onBlur: flush,
  };
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages} controlId={common.id}>
      {hint.widget === 'textarea' ? (
        <textarea {...common} rows={Math.min(10, Math.max(3, draft.split('\n').length))} onChange={(e) => change(e.target.value)} />
      ) : (
        <input {...common} type="text" onChange={(e) => change(e.target.value)} />
      )}
    </FieldShell>
  );
}

/** A number: an empty field removes the key; text that is not a number stays in the field, uncommitted, with a message. */
export function NumberField({ hint, value, write, problems, fieldId, fallback }: FieldProps) {
  const commit = useCallback(
    (draft: string): CommitResult<unknown> => {
      const trimmed = draft.trim();
      if (trimmed === '') {
        write(undefined);
        return { written: true, value: undefined };
      }
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { written: false };
      write(n);
      return { written: true, value: n };
    },
    [write],
  );
  const { draft, change, flush } = useDraft<unknown, string>({ value, toDraft: asText, commit });
  const notANumber = draft.trim() !== '' && !Number.isFinite(Number(draft.trim()));
  const messages: Message[] = [...(notANumber ? [{ level: 'error' as const, text: `"${draft}" is not a number; the field keeps its last value until it is one.` }] : []), ...problemMessages(problems)];
  const id = `${fieldId}-input`;
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages} controlId={id}>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={draft}
        placeholder={placeholderOf(fallback)}
        aria-describedby={describedBy(fieldId, hint.help, messages)}
        aria-invalid={notANumber || problems.some((p) => p.severity === 'error') || undefined}
        onChange={(e) => change(e.target.value)}
        onBlur={flush}
      />
    </FieldShell>
  );
}

/** A checkbox: each click is its own step, no draft needed. */
export function BooleanField({ hint, value, write, problems, fieldId, fallback }: FieldProps) {
  const messages = problemMessages(problems);
  const id = `${fieldId}-input`;
  const checked = typeof value === 'boolean' ? value : fallback === true;
  return (
    <div className="inspector-field inspector-field-boolean">
      <label htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} aria-describedby={describedBy(fieldId, hint.help, messages)} onChange={(e) => write(e.target.checked)} />
        {hint.label}
      </label>
      {hint.help && (
        <p id={helpId(fieldId)} className="inspector-help">
          {hint.help}
        </p>
      )}
      <Messages id={messagesId(fieldId)} messages={messages} />
    </div>
  );
}

/** A choice among the hint's options; a value the options lack (written by hand) is still shown. */
export function SelectField({ hint, value, write, problems, fieldId, fallback }: FieldProps) {
  const options = [...(hint.options ?? [])];
  const current = typeof value === 'string' ? value : typeof fallback === 'string' ? fallback : '';
  const unknown = current !== '' && !options.includes(current);
  const messages = problemMessages(problems);
  const id = `${fieldId}-input`;
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages} controlId={id}>
      <select id={id} value={current} aria-describedby={describedBy(fieldId, hint.help, messages)} onChange={(e) => write(e.target.value === '' ? undefined : e.target.value)}>
        {current === '' && <option value="">Choose…</option>}
        {unknown && <option value={current}>{current} (not an option)</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

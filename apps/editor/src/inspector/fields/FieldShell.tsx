import type { FieldHint } from '@trellis/nodes';
import type { Problem } from '@trellis/schema';
import type { ReactNode } from 'react';

/** One line under a field: the store's problems, live checks, and notes. */
export interface Message {
  level: 'error' | 'warning' | 'note';
  text: string;
}

/** What every field control receives from the form. */
export interface FieldProps {
  hint: FieldHint;
  /** The value at the hint's path in the store's config. */
  value: unknown;
  /** Writes a value at the hint's path (`undefined` removes the key): one undo step. */
  write: (value: unknown) => void;
  /** The store's problems about this field. */
  problems: readonly Problem[];
  /** A unique base for element ids. */
  fieldId: string;
  /** What applies when the field is left empty (the kind's default), shown as a placeholder. */
  fallback?: unknown;
}

export const problemMessages = (problems: readonly Problem[]): Message[] =>
  problems.map((p) => ({ level: p.severity === 'error' ? 'error' : 'warning', text: p.message }));

export const messagesId = (fieldId: string) => `${fieldId}-messages`;
export const helpId = (fieldId: string) => `${fieldId}-help`;

/** The ids a control's aria-describedby names: its help and its messages, when there are any. */
export function describedBy(fieldId: string, help: string | undefined, messages: readonly Message[]): string | undefined {
  const ids = [...(help ? [helpId(fieldId)] : []), ...(messages.length ? [messagesId(fieldId)] : [])];
  return ids.length ? ids.join(' ') : undefined;
}

const PREFIX: Record<Message['level'], string> = { error: 'Error: ', warning: 'Warning: ', note: '' };

export function Messages({ id, messages }: { id: string; messages: readonly Message[] }) {
  if (!messages.length) return null;
  return (
    <ul id={id} className="inspector-messages">
      {messages.map((m, i) => (
        <li key={i} className={`inspector-message inspector-message-${m.level}`}>
          <span className="inspector-sr-only">{PREFIX[m.level]}</span>
          {m.text}
        </li>
      ))}
    </ul>
  );
}

/**
 * A field's frame: its label (a real <label> when the control is a form element, plain text when
 * the control names itself, as the code editor does), help, the control, and its messages.
 */
export function FieldShell({
  fieldId,
  label,
  help,
  messages,
  controlId,
  children,
}: {
  fieldId: string;
  label: string;
  help?: string | undefined;
  messages: readonly Message[];
  /** The id of a form control to label; without one the label is plain text. */
  controlId?: string;
  children: ReactNode;
}) {
  return (
    <div className="inspector-field">
      {controlId ? (
        <label className="inspector-label" htmlFor={controlId}>
          {label}
        </label>
      ) : (
        <div className="inspector-label" aria-hidden="true">
          {label}
        </div>
      )}
      {help && (
        <p id={helpId(fieldId)} className="inspector-help">
          {help}
        </p>
      )}
      {children}
      <Messages id={messagesId(fieldId)} messages={messages} />
    </div>
  );
}

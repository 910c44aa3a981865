import { expressionSyntaxError } from '@trellis/nodes';
import { useTextDraft } from '../drafts';
import { describedBy, FieldShell, problemMessages, type FieldProps, type Message } from './FieldShell';


/** A single expression over the scope, its syntax checked as it is typed. */
export function ExpressionField({ hint, value, write, problems, fieldId }: FieldProps) {
  const { draft, change, flush } = useTextDraft(value, write);
  const syntax = draft.trim() === '' ? undefined : expressionSyntaxError(draft);
  const messages: Message[] = [...(syntax ? [{ level: 'error' as const, text: `Expression error: ${syntax}` }] : []), ...problemMessages(problems.filter((p) => p.code !== 'invalid_expression'))];
  const id = `${fieldId}-input`;
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages} controlId={id}>
      <textarea
        id={id}
        className="inspector-expression"
        rows={2}
        spellCheck={false}
        value={draft}
        aria-invalid={syntax ? true : undefined}
        aria-describedby={describedBy(fieldId, hint.help, messages)}
        onChange={(e) => change(e.target.value)}
        onBlur={flush}
      />
    </FieldShell>
  );
}

import { useCallback, useMemo } from 'react';
import { LazyCodeEditor } from '../code/LazyCodeEditor';
import { useDraft, type CommitResult } from '../drafts';
import { formatJson, parseJsonText } from '../json-text';
import { isRecord } from '../paths';
import { describedBy, helpId, Messages, messagesId, problemMessages, type FieldProps, type Message } from './FieldShell';
import { SchemaFieldsTable } from './SchemaFieldsTable';

/**
 * A JSON Schema, in two views over one draft: the Fields table for a flat object and the JSON
 * itself. Emptying the JSON removes the key (the schema is optional, or the kind's default applies);
 * JSON that does not parse, or is not an object, is kept in the field and not written.
 */
export function JsonSchemaField({ hint, value, write, problems, fieldId, fallback }: FieldProps) {
  const commit = useCallback(
    (draft: string): CommitResult<unknown> => {
      const parsed = parseJsonText(draft);
      if (!parsed.ok || (parsed.value !== undefined && !isRecord(parsed.value))) return { written: false };
      write(parsed.value);
      return { written: true, value: parsed.value };
    },
    [write],
  );
  const { draft, change, flush } = useDraft<unknown, string>({ value, toDraft: formatJson, commit });
  const parsed = useMemo(() => parseJsonText(draft), [draft]);
  const notObject = parsed.ok && parsed.value !== undefined && !isRecord(parsed.value);
  const messages: Message[] = [
    ...(parsed.ok ? [] : [{ level: 'error' as const, text: `Not valid JSON: ${parsed.error}. The node keeps its last valid schema.` }]),
    ...(notObject ? [{ level: 'error' as const, text: 'A JSON Schema is an object, e.g. {"type": "object", "properties": {}}. The node keeps its last valid schema.' }] : []),
    ...problemMessages(problems),
  ];
  const onTableChange = useCallback((schema: Record<string, unknown>) => change(formatJson(schema)), [change]);
  return (
    <fieldset className="inspector-field inspector-schema">
      <legend className="inspector-label">{hint.label}</legend>
      {hint.help && (
        <p id={helpId(fieldId)} className="inspector-help">
          {hint.help}
        </p>
      )}
      <h4 className="inspector-subheading">Fields</h4>
      {parsed.ok ? <SchemaFieldsTable schema={parsed.value} label={hint.label} onChange={onTableChange} onBlur={flush} /> : <p className="inspector-note">Fix the JSON below to edit the fields.</p>}
      <h4 className="inspector-subheading">JSON</h4>
      <LazyCodeEditor value={draft} onChange={change} onBlur={flush} label={hint.label} describedBy={describedBy(fieldId, hint.help, messages)} language="json" />
      {draft.trim() === '' && <p className="inspector-note">{fallback === undefined ? 'Empty: no schema.' : `Empty: uses ${JSON.stringify(fallback)}.`}</p>}
      <Messages id={messagesId(fieldId)} messages={messages} />
    </fieldset>
  );
}

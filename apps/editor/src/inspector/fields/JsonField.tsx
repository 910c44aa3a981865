import { useCallback, useMemo } from 'react';
import { LazyCodeEditor } from '../code/LazyCodeEditor';
import { useDraft, type CommitResult } from '../drafts';
import { formatJson, parseJsonText } from '../json-text';
import { checkTemplateLeaves, type TemplateEnv } from '../scope';
import { describedBy, FieldShell, problemMessages, type FieldProps, type Message } from './FieldShell';
import { LIVE_TEMPLATE_CODES } from './TemplateField';

/**
 * `json` and `template-json`: JSON typed in a code editor. Text that does not parse is never
 * written: it stays in the field with the parser's message, and the node keeps its last value.
 * In `template-json` every string leaf is a template, checked like a template field.
 */
export function JsonField({ hint, value, write, problems, fieldId, env }: FieldProps & { env?: TemplateEnv | undefined }) {
  const commit = useCallback(
    (draft: string): CommitResult<unknown> => {
      const parsed = parseJsonText(draft);
      if (!parsed.ok) return { written: false };
      write(parsed.value);
      return { written: true, value: parsed.value };
    },
    [write],
  );
  const { draft, change, flush } = useDraft<unknown, string>({ value, toDraft: formatJson, commit });
  const parsed = useMemo(() => parseJsonText(draft), [draft]);
  const templates = hint.widget === 'template-json' && env && parsed.ok ? checkTemplateLeaves(parsed.value, env.scope) : undefined;
  const messages: Message[] = [
    ...(parsed.ok ? [] : [{ level: 'error' as const, text: `Not valid JSON: ${parsed.error}. The node keeps its last valid value.` }]),
    ...(templates?.syntaxErrors.map((text) => ({ level: 'error' as const, text })) ?? []),
    ...(templates?.unknown.map((text) => ({ level: 'warning' as const, text })) ?? []),
    ...problemMessages(hint.widget === 'template-json' ? problems.filter((p) => !LIVE_TEMPLATE_CODES.has(p.code)) : problems),
  ];
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages}>
      <LazyCodeEditor value={draft} onChange={change} onBlur={flush} label={hint.label} describedBy={describedBy(fieldId, hint.help, messages)} language="json" />
      {hint.widget === 'template-json' && <p className="inspector-note">String values are templates: {'"{{ input.message }}"'}; one that is exactly one {'{{ … }}'} keeps its type.</p>}
    </FieldShell>
  );
}

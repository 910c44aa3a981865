import { useMemo } from 'react';
import { LazyCodeEditor } from '../code/LazyCodeEditor';
import type { TemplateHints } from '../code/types';
import { useTextDraft } from '../drafts';
import { checkTemplateText, type TemplateEnv } from '../scope';
import { describedBy, FieldShell, problemMessages, type FieldProps, type Message } from './FieldShell';

/** Codes the live check below reports from the draft itself; the store's copies lag a commit behind. */
export const LIVE_TEMPLATE_CODES = new Set(['unknown_variable', 'invalid_template']);


export function useTemplateHints(env: TemplateEnv): TemplateHints {
  return useMemo(
    () => ({
      problemOf: (span) => {
        const check = checkTemplateText(span, env.scope);
        return check.syntaxError ? undefined : check.unknown[0];
      },
      properties: (path) => env.complete(path),
    }),
    [env],
  );
}

/** A Liquid template: `{{ variables }}` highlighted, and those the node will not have listed as warnings. */
export function TemplateField({ hint, value, write, problems, fieldId, fallback, env }: FieldProps & { env: TemplateEnv }) {
  const { draft, change, flush } = useTextDraft(value, write);
  const check = useMemo(() => checkTemplateText(draft, env.scope), [draft, env]);
  const hints = useTemplateHints(env);
  const messages: Message[] = [
    ...(check.syntaxError ? [{ level: 'error' as const, text: check.syntaxError }] : []),
    ...check.unknown.map((text) => ({ level: 'warning' as const, text })),
    ...problemMessages(problems.filter((p) => !LIVE_TEMPLATE_CODES.has(p.code))),
  ];
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages}>
      <LazyCodeEditor value={draft} onChange={change} onBlur={flush} label={hint.label} describedBy={describedBy(fieldId, hint.help, messages)} language="liquid" templateHints={hints} />
      {draft === '' && typeof fallback === 'string' && <p className="inspector-note">Empty: uses {fallback}</p>}
      {check.variables.length > 0 && (
        <p className="inspector-note inspector-variables">
          Reads:{' '}
          {check.variables.map((v) => (
            <code key={v}>{v}</code>
          ))}
        </p>
      )}
    </FieldShell>
  );
}

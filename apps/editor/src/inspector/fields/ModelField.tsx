import type { ApiClient } from '../../api';
import { useTextDraft } from '../drafts';
import { adviseModel } from '../model-choice';
import { useModelCatalog } from '../use-model-catalog';
import { describedBy, FieldShell, problemMessages, type FieldProps, type Message } from './FieldShell';

const trimmed = (text: string) => text.trim();

/**
 * The model picker: a text input that suggests the runner's models (any `provider:model` may be
 * typed), and says before a run whether the provider has a key on the runner.
 */
export function ModelField({ hint, value, write, problems, fieldId, fallback, api }: FieldProps & { api: ApiClient }) {
  const { draft, change, flush } = useTextDraft(value, write, trimmed);
  const { state, retry } = useModelCatalog(api);
  const catalog = state.status === 'ready' ? state.catalog : undefined;
  const effective = draft.trim() || (typeof fallback === 'string' ? fallback : '');
  const advice = adviseModel(effective, catalog);
  const messages: Message[] = [
    ...advice.map((a) => ({ level: a.level, text: a.message })),
    ...(catalog?.warnings ?? []).map((text) => ({ level: 'warning' as const, text: `The runner: ${text}` })),
    ...problemMessages(problems),
  ];
  const id = `${fieldId}-input`;
  const listId = `${fieldId}-models`;
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages} controlId={id}>
      <input
        id={id}
        type="text"
        list={listId}
        value={draft}
        placeholder={typeof fallback === 'string' ? fallback : 'provider:model'}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={describedBy(fieldId, hint.help, messages)}
        onChange={(e) => change(e.target.value)}
        onBlur={flush}
      />
      <datalist id={listId}>
        {catalog?.items.map((m) => (
          <option key={m.id} value={m.id}>
            {m.configured ? m.id : `${m.id} (no key: test provider)`}
          </option>
        ))}
      </datalist>
      {state.status === 'failed' && (
        <p className="inspector-message inspector-message-error" role="alert">
          Could not load the runner's model list: {state.error}{' '}
          <button type="button" onClick={retry}>
            Retry loading models
          </button>
        </p>
      )}
    </FieldShell>
  );
}

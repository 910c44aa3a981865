import { useId, useMemo, useState } from 'react';
import { Send } from 'lucide-react';
import { errorMessage, type InboxItem } from '@trellis/schema';
import type { ApiClient } from '../api';
import { InputForm } from '../run/InputForm';
import { describeProblem, fieldDefaults, problemsByField, readAnswer, refusedAnswer, type InputProblem } from '../run/input-check';
import { formFields } from '../run/schema-form';
import { answerWait, type TakenBy } from './answer';

interface Props {
  api: ApiClient;
  item: InboxItem;
  /** Who answers (the page's "Your name"); '' when no name was given. */
  by: string;
  onDone: () => void;
  onTaken: (taken: TakenBy) => void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


/**
 * A question's form, generated from its JSON Schema as the run panel's is (the same fields, the
 * same check in the runner's words), answered in place. The runner's own refusal (400 naming
 * each field under `answer`) shows under the fields too.
 */
export function QuestionAnswer({ api, item, by, onDone, onTaken }: Props) {
  const schema = useMemo(() => (isObject(item.schema) ? item.schema : {}), [item.schema]);
  const fields = useMemo(() => formFields(schema), [schema]);
  const [value, setValue] = useState<unknown>(() => ('default' in schema ? schema.default : fields ? fieldDefaults(schema) : undefined));
  const [json, setJson] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [problems, setProblems] = useState<InputProblem[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();

  const send = async () => {
    setError(undefined);
    const read = await readAnswer(schema, fields !== undefined, value, json);
    setProblems(read.problems);
    if (read.problems.length) return;
    const given = read.given;
    setSending(true);
    try {
      const taken = await answerWait(api, item, { answer: given, by: by || 'editor' });
      if (taken) onTaken(taken);
      else onDone();
    } catch (e) {
      const refused = refusedAnswer(e);
      if (refused) setProblems(refused);
      else setError(`Could not send the answer: ${errorMessage(e)}`);
      setSending(false);
    }
  };

  // Problems of a field show under it; the rest (the answer itself) above the button.
  const { byField, general } = problemsByField(problems, fields);

  return (
    <form
      className="inbox-answer mt-3 flex flex-col gap-3"
      aria-label="Answer"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {fields ? (
        <InputForm fields={fields} value={value} onChange={setValue} problems={byField} />
      ) : (
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-json`} className="text-xs font-medium text-fg-muted">
            Answer (JSON)
          </label>
          <textarea id={`${id}-json`} className="inbox-json font-mono text-xs" value={json} onChange={(e) => setJson(e.target.value)} rows={5} spellCheck={false} aria-invalid={general.length > 0} />
        </div>
      )}
      {general.length > 0 && (
        <ul className="m-0 pl-5 text-sm text-danger-fg" aria-label="Problems with the answer">
          {general.map((p, i) => (
            <li key={i}>{p.path ? describeProblem(p) : p.message}</li>
          ))}
        </ul>
      )}
      <div>
        <button type="submit" className="btn-primary" disabled={sending}>
          <Send size={16} aria-hidden="true" />
          {sending ? 'Sending…' : 'Send answer'}
        </button>
      </div>
      {error && (
        <p role="alert" className="m-0 rounded-md border border-danger-border bg-danger-soft px-3 py-2 text-sm text-danger-fg">
          {error}
        </p>
      )}
    </form>
  );
}

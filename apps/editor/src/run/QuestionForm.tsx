import { useMemo, useState } from 'react';
import { errorMessage } from '@trellis/schema';
import type { ApiClient } from '../api';
import { readAuthor } from '../author';
import { InputForm } from './InputForm';
import { describeProblem, fieldDefaults, problemsByField, readAnswer, refusedAnswer, type InputProblem } from './input-check';
import { DeadlineNote } from './DeadlineNote';
import { formFields } from './schema-form';
import type { Trace } from './trace';

interface Props {
  api: ApiClient;
  runId: string;
  waiting: NonNullable<Trace['waiting']>;
  /** The name of the step that asks. */
  stepName: string;
  /** The name of the agent that asks from inside the step (its ask_a_person tool), when it is not the step's own agent. */
  agentName?: string | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


/**
 * A question the run waits on, with its answer form generated from the question's JSON Schema
 * (the run input's form: one labelled control per property, or JSON for any other schema). The
 * answer is checked here as the runner will check it, and the runner's own refusal (400 naming
 * each field under `answer`) shows under the fields too.
 */
export function QuestionForm({ api, runId, waiting, stepName, agentName }: Props) {
  const byAgent = isObject(waiting.payload) && typeof waiting.payload.agent === 'string';
  const schema = useMemo(() => (isObject(waiting.schema) ? waiting.schema : {}), [waiting.schema]);
  const fields = useMemo(() => formFields(schema), [schema]);
  // The form starts from the question's default answer, else its fields' defaults.
  const [value, setValue] = useState<unknown>(() => ('default' in schema ? schema.default : fields ? fieldDefaults(schema) : undefined));
  const [json, setJson] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [problems, setProblems] = useState<InputProblem[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const answer = async () => {
    setError(undefined);
    const read = await readAnswer(schema, fields !== undefined, value, json);
    setProblems(read.problems);
    if (read.problems.length) return;
    const given = read.given;
    setSending(true);
    try {
      const pending = await api.listApprovals({ runId, status: 'pending' });
      const question = pending.find((a) => a.waitId === waiting.waitId);
      if (!question) throw new Error('the run no longer waits on this question (someone may have answered it already)');
      await api.decideApproval(question.id, { answer: given, by: readAuthor() || 'editor' });
    } catch (e) {
      const refused = refusedAnswer(e);
      if (refused) setProblems(refused);
      else setError(`Could not send the answer: ${errorMessage(e)}`);
    } finally {
      setSending(false);
    }
  };

  // Problems of a field show under it; the rest (the answer itself) above the button.
  const { byField, general } = problemsByField(problems, fields);

  return (
    <form
      className="approval question"
      aria-label="Question"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void answer();
      }}
    >
      <p className="approval-title">
        {!byAgent ? (
          <>
            Step <strong>{stepName}</strong> asks:
          </>
        ) : agentName ? (
          <>
            Agent <strong>{agentName}</strong> (in step <strong>{stepName}</strong>) asks:
          </>
        ) : (
          <>
            Agent <strong>{stepName}</strong> asks:
          </>
        )}
      </p>
      <p className="approval-message">{waiting.message}</p>
      <DeadlineNote deadline={waiting.deadline} />
      {fields ? (
        <InputForm fields={fields} value={value} onChange={setValue} problems={byField} />
      ) : (
        <label>
          Answer (JSON)
          <textarea className="json" value={json} onChange={(e) => setJson(e.target.value)} rows={5} spellCheck={false} aria-invalid={general.length > 0} />
        </label>
      )}
      {general.length > 0 && (
        <ul className="field-errors" aria-label="Problems with the answer">
          {general.map((p, i) => (
            <li key={i}>{p.path ? describeProblem(p) : p.message}</li>
          ))}
        </ul>
      )}
      <div className="run-buttons">
        <button type="submit" disabled={sending}>
          Send answer
        </button>
      </div>
      {error && <p role="alert" className="run-error">{error}</p>}
    </form>
  );
}

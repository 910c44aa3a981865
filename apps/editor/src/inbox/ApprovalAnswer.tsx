import { useId, useMemo, useState } from 'react';
import { Check, X } from 'lucide-react';
import { errorMessage, COMMENT_MAX, type InboxItem } from '@trellis/schema';
import type { ApiClient } from '../api';
import { pretty } from '../run/describe';
import { InputForm } from '../run/InputForm';
import { formFields } from '../run/schema-form';
import { answerWait, type TakenBy } from './answer';
import { payloadSchema } from './payload-form';

interface Props {
  api: ApiClient;
  item: InboxItem;
  /** Who answers (the page's "Your name"); '' when no name was given. */
  by: string;
  onDone: (decision: 'approve' | 'reject') => void;
  onTaken: (taken: TakenBy) => void;
}

const NO_PROBLEMS: ReadonlyMap<string, string[]> = new Map();

/** Approve or reject in place: the payload to edit (when the step offers one), an optional comment. */
export function ApprovalAnswer({ api, item, by, onDone, onTaken }: Props) {
  // An object payload is a form (one field per property); anything else is edited as JSON.
  const fields = useMemo(() => formFields(payloadSchema(item.payload)), [item.payload]);
  const [fieldValue, setFieldValue] = useState<unknown>(item.payload);
  const [payload, setPayload] = useState(() => pretty(item.payload));
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState<'approve' | 'reject' | undefined>();
  const [error, setError] = useState<string | undefined>();
  const id = useId();

  const decide = async (decision: 'approve' | 'reject') => {
    setError(undefined);
    let edited: unknown;
    if (fields) edited = fieldValue;
    else if (item.payload !== undefined) {
      try {
        edited = JSON.parse(payload) as unknown;
      } catch (e) {
        setError(`The payload is not valid JSON: ${errorMessage(e)}. Fix it, or reload the page to start again from the step's payload.`);
        return;
      }
    }
    setSending(decision);
    try {
      const taken = await answerWait(api, item, {
        decision,
        by: by || 'editor',
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(edited !== undefined && JSON.stringify(edited) !== JSON.stringify(item.payload) ? { payload: edited } : {}),
      });
      if (taken) onTaken(taken);
      else onDone(decision);
    } catch (e) {
      setError(`Could not ${decision}: ${errorMessage(e)}`);
      setSending(undefined);
    }
  };

  return (
    <div className="mt-3 flex flex-col gap-3">
      {fields ? (
        <fieldset className="inbox-answer m-0 rounded-lg border border-border p-3">
          <legend className="px-1 text-xs font-medium text-fg-muted">
            Payload <span className="font-normal text-fg-subtle">· edit it to approve a changed version</span>
          </legend>
          <InputForm fields={fields} value={fieldValue} onChange={setFieldValue} problems={NO_PROBLEMS} />
        </fieldset>
      ) : (
        item.payload !== undefined && (
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-payload`} className="text-xs font-medium text-fg-muted">
              Payload (JSON) <span className="font-normal text-fg-subtle">· edit it to approve a changed version</span>
            </label>
            <textarea id={`${id}-payload`} className="inbox-json font-mono text-xs" value={payload} onChange={(e) => setPayload(e.target.value)} spellCheck={false} />
          </div>
        )
      )}
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-comment`} className="text-xs font-medium text-fg-muted">
          Comment <span className="font-normal text-fg-subtle">(optional, kept in the run's trace)</span>
        </label>
        <input id={`${id}-comment`} value={comment} maxLength={COMMENT_MAX} onChange={(e) => setComment(e.target.value)} placeholder="Why you decided so" />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className="btn-primary" disabled={sending !== undefined} onClick={() => void decide('approve')}>
          <Check size={16} aria-hidden="true" />
          {sending === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="btn-danger" disabled={sending !== undefined} onClick={() => void decide('reject')}>
          <X size={16} aria-hidden="true" />
          {sending === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      {error && (
        <p role="alert" className="m-0 rounded-md border border-danger-border bg-danger-soft px-3 py-2 text-sm text-danger-fg">
          {error}
        </p>
      )}
    </div>
  );
}

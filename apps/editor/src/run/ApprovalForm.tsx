import { useState } from 'react';
import { errorMessage, type DecisionRequest } from '@trellis/schema';
import type { ApiClient } from '../api';
import { readAuthor } from '../author';
import { DeadlineNote } from './DeadlineNote';
import { pretty } from './describe';
import type { Trace } from './trace';

interface Props {
  api: ApiClient;
  runId: string;
  waiting: NonNullable<Trace['waiting']>;
  /** The name of the step that waits. */
  stepName: string;
}

/** The wait a run stopped at: its message, the payload to edit, a comment, approve or reject. */
export function ApprovalForm({ api, runId, waiting, stepName }: Props) {
  const [payload, setPayload] = useState(() => pretty(waiting.payload));
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const decide = async (decision: DecisionRequest['decision']) => {
    setError(undefined);
    let edited: unknown;
    if (waiting.payload !== undefined) {
      try {
        edited = JSON.parse(payload);
      } catch (e) {
        setError(`The payload is not valid JSON: ${errorMessage(e)}`);
        return;
      }
    }
    setSending(true);
    try {
      const pending = await api.listApprovals({ runId, status: 'pending' });
      // By its wait only: a run may wait on several at once (the items of a map).
      const approval = pending.find((a) => a.waitId === waiting.waitId);
      if (!approval) throw new Error('the run is no longer waiting for this approval (someone may have answered it already)');
      await api.decideApproval(approval.id, {
        decision,
        // The name the person gave the editor (as their saves carry it), else the editor's.
        by: readAuthor() || 'editor',
        ...(comment ? { comment } : {}),
        ...(edited !== undefined && JSON.stringify(edited) !== JSON.stringify(waiting.payload) ? { payload: edited } : {}),
      });
    } catch (e) {
      setError(`Could not ${decision}: ${errorMessage(e)}`);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="approval" role="group" aria-label="Approval">
      <p className="approval-title">
        {waiting.kind === 'tool_approval' ? 'A tool call of' : 'Step'} <strong>{stepName}</strong> waits for your decision.
      </p>
      <p className="approval-message">{waiting.message}</p>
      <DeadlineNote deadline={waiting.deadline} />
      {waiting.payload !== undefined && (
        <label>
          Payload (JSON)
          <textarea value={payload} onChange={(e) => setPayload(e.target.value)} rows={5} spellCheck={false} />
        </label>
      )}
      <label>
        Comment
        <input value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <div className="run-buttons">
        <button type="button" disabled={sending} onClick={() => void decide('approve')}>
          Approve
        </button>
        <button type="button" disabled={sending} onClick={() => void decide('reject')}>
          Reject
        </button>
      </div>
      {error && <p role="alert" className="run-error">{error}</p>}
    </div>
  );
}

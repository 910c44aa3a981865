import type { Flow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { ApprovalForm } from './ApprovalForm';
import { stepName } from './describe';
import { QuestionForm } from './QuestionForm';
import { roundLabel } from './RoundList';
import type { PendingWait, Trace } from './trace';

/** Forms shown at once: a map whose every item waits would otherwise draw one per item. */
export const WAIT_FORMS_SHOWN = 3;

/** The step that waits, and for a body step which round of which container: "Check (item 3 of each)". */
export function waitStepName(flow: Flow, wait: PendingWait): string {
  const name = stepName(flow, { nodeId: wait.nodeId });
  const path = wait.path ?? [];
  const rounds: string[] = [];
  for (let i = 0; i + 1 < path.length; i += 2) {
    const container = String(path[i]);
    const kind = flow.nodes.find((n) => n.id === container)?.type;
    rounds.push(`${roundLabel(kind, Number(path[i + 1]))} of ${stepName(flow, { nodeId: container })}`);
  }
  return rounds.length ? `${name} (${rounds.reverse().join(', ')})` : name;
}

/**
 * A form for each wait of the run not answered yet (an approval, or a question), each keyed and
 * answered by its wait id, so the waits of several items of a map are answered one by one.
 */
export function WaitForms({ api, runId, trace, flow }: { api: ApiClient; runId: string; trace: Trace; flow: Flow }) {
  const waits = trace.waits ?? (trace.waiting ? [trace.waiting] : []);
  const shown = waits.slice(0, WAIT_FORMS_SHOWN);
  return (
    <>
      {shown.map((wait) =>
        wait.kind === 'question' ? (
          <QuestionForm key={wait.waitId} api={api} runId={runId} waiting={wait} stepName={waitStepName(flow, wait)} agentName={askingAgentName(flow, wait)} />
        ) : (
          <ApprovalForm key={wait.waitId} api={api} runId={runId} waiting={wait} stepName={waitStepName(flow, wait)} />
        ),
      )}
      {waits.length > shown.length && (
        <p className="note" role="status">
          {waits.length - shown.length} more wait{waits.length - shown.length === 1 ? 's' : ''} for an answer: they show here as these are answered.
        </p>
      )}
    </>
  );
}

/** The agent that asks a question from inside a step (an attached worker or handoff target), when it is not the step's own agent. */
function askingAgentName(flow: Flow, waiting: PendingWait): string | undefined {
  const payload = waiting.payload as { agent?: unknown } | undefined;
  const agent = typeof payload?.agent === 'string' ? payload.agent : undefined;
  return agent && agent !== waiting.nodeId ? stepName(flow, { nodeId: agent }) : undefined;
}

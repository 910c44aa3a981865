import { expressionSyntaxError } from '@trellis/nodes';
import type { FlowEdge, Problem } from '@trellis/schema';
import { useCallback } from 'react';
import { branchIdProblem, danglingBranchEdges, moveItem, readBranches, uniqueBranchId, type Branch } from '../branches';
import { useDraft, type CommitResult } from '../drafts';
import { configPathOf } from '../problems';
import { helpId, Messages, messagesId, problemMessages, type FieldProps, type Message } from './FieldShell';

/**
 * The store's problems sorted by branch. A branch's id and expression are checked live from the
 * draft instead (the store's copies lag a commit behind); what is about no branch is the field's.
 */
function sortBranchProblems(problems: readonly Problem[], count: number): { byBranch: Problem[][]; field: Problem[] } {
  const byBranch: Problem[][] = Array.from({ length: count }, () => []);
  const field: Problem[] = [];
  for (const p of problems) {
    const at = configPathOf(p);
    const index = at && at.length >= 2 ? Number(at[1]) : NaN;
    if (!at || !(index >= 0 && index < count)) field.push(p);
    else if (at[2] !== 'id' && at[2] !== 'when' && p.code !== 'invalid_expression') byBranch[index]!.push(p);
  }
  return { byBranch, field };
}

function withLabel(branch: Branch, label: string): Branch {
  const next: Branch = { id: branch.id, when: branch.when };
  if (label) next.label = label;
  return next;
}

/**
 * A condition's branches, checked in order; the first whose expression holds fires, else `else`.
 * Each branch id is a handle on the canvas, so a rename or removal that leaves a wire hanging says so.
 */
export function BranchesField({ hint, value, write, problems, fieldId, nodeId, edges, nameOf }: FieldProps & { nodeId: string; edges: readonly FlowEdge[]; nameOf: (id: string) => string }) {
  const commit = useCallback(
    (draft: Branch[]): CommitResult<unknown> => {
      write(draft);
      return { written: true, value: draft };
    },
    [write],
  );
  const { draft, change, flush, commitNow } = useDraft<unknown, Branch[]>({ value, toDraft: readBranches, commit });
  const edit = (index: number, next: Branch) => change(draft.map((b, i) => (i === index ? next : b)));

  const dangling = danglingBranchEdges(nodeId, draft, edges);
  const sorted = sortBranchProblems(problems, draft.length);
  const messages: Message[] = [
    ...dangling.map((e) => ({
      level: 'warning' as const,
      text: `The wire to "${nameOf(e.target)}" leaves from branch "${e.sourceHandle}", which no longer exists: it is cut until you rewire it on the canvas or give a branch that id again.`,
    })),
    ...problemMessages(sorted.field),
  ];

  return (
    <div className="inspector-field inspector-branches">
      <div className="inspector-label" aria-hidden="true">
        {hint.label}
      </div>
      {hint.help && (
        <p id={helpId(fieldId)} className="inspector-help">
          {hint.help}
        </p>
      )}
      <ol className="inspector-branch-list">
        {draft.map((branch, i) => {
          const rowId = `${fieldId}-${i}`;
          const idProblem = branchIdProblem(draft, i);
          const syntax = branch.when.trim() === '' ? 'the branch needs an expression' : expressionSyntaxError(branch.when);
          const wired = edges.filter((e) => e.source === nodeId && e.sourceHandle === branch.id).length;
          const rowMessages = problemMessages(sorted.byBranch[i] ?? []);
          return (
            <li key={i}>
              <fieldset className="inspector-branch">
                <legend>Branch {i + 1}</legend>
                <label htmlFor={`${rowId}-id`}>Id</label>
                <input
                  id={`${rowId}-id`}
                  value={branch.id}
                  aria-invalid={idProblem ? true : undefined}
                  aria-describedby={idProblem ? `${rowId}-id-problem` : undefined}
                  onChange={(e) => edit(i, { ...branch, id: e.target.value })}
                  onBlur={flush}
                />
                {idProblem && (
                  <p id={`${rowId}-id-problem`} className="inspector-message inspector-message-error">
                    {idProblem}
                  </p>
                )}
                {wired > 0 && <p className="inspector-note">{wired === 1 ? '1 wire leaves' : `${wired} wires leave`} from this branch: renaming it cuts {wired === 1 ? 'it' : 'them'}.</p>}
                <label htmlFor={`${rowId}-label`}>Label</label>
                <input id={`${rowId}-label`} value={branch.label ?? ''} placeholder={branch.id} onChange={(e) => edit(i, withLabel(branch, e.target.value))} onBlur={flush} />
                <label htmlFor={`${rowId}-when`}>When</label>
                <textarea
                  id={`${rowId}-when`}
                  className="inspector-expression"
                  value={branch.when}
                  rows={2}
                  spellCheck={false}
                  aria-invalid={syntax ? true : undefined}
                  aria-describedby={syntax ? `${rowId}-when-problem` : undefined}
                  onChange={(e) => edit(i, { ...branch, when: e.target.value })}
                  onBlur={flush}
                />
                {syntax && (
                  <p id={`${rowId}-when-problem`} className="inspector-message inspector-message-error">
                    Expression error: {syntax}
                  </p>
                )}
                <Messages id={`${rowId}-messages`} messages={rowMessages} />
                <div className="inspector-row-actions">
                  <button type="button" disabled={i === 0} onClick={() => commitNow(moveItem(draft, i, i - 1))}>
                    Move up
                  </button>
                  <button type="button" disabled={i === draft.length - 1} onClick={() => commitNow(moveItem(draft, i, i + 1))}>
                    Move down
                  </button>
                  <button type="button" disabled={draft.length === 1} title={draft.length === 1 ? 'A condition needs at least one branch' : undefined} onClick={() => commitNow(draft.filter((_, j) => j !== i))}>
                    Remove branch
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
        <li className="inspector-branch-else">
          <strong>else</strong>: when no branch above matches. It is always there.
        </li>
      </ol>
      <button type="button" onClick={() => commitNow([...draft, { id: uniqueBranchId(draft), when: 'true' }])}>
        Add branch
      </button>
      <Messages id={messagesId(fieldId)} messages={messages} />
    </div>
  );
}

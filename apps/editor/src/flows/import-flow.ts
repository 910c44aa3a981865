import { formatPath, type Flow, type Problem, type ProblemCode } from '@trellis/schema';
import { validateFlowText } from '@trellis/nodes';
import { uniqueFlowId } from './flow-id';

/**
 * Problems that keep the runner from storing a file at all: not JSON, not a flow, or an envelope
 * (id, name, node and edge fields) it cannot index. Everything else (unknown handles, cycles,
 * unknown variables…) is a problem with the graph, which the runner stores like any draft.
 */
const UNSTORABLE: ReadonlySet<ProblemCode> = new Set(['invalid_json', 'not_a_flow', 'unsupported_version', 'invalid_flow']);

export type FlowImport =
  | {
      ok: false;
      /** One sentence: what the file is not. */
      summary: string;
      /** Each problem in words, saying where it is. */
      problems: string[];
    }
  | {
      ok: true;
      /** The file's flow as written, under `document.id` (fresh when the file's id was taken). */
      document: Flow;
      /** The file's id, when it was taken and `document.id` replaces it. */
      renamedFrom?: string;
      /** The flow's own problems, which a person fixes on the canvas. */
      errors: number;
      warnings: number;
    };

/** One problem, where first: `node "classify" (at nodes[1].config.model): …`. */
export function describeProblem(p: Problem): string {
  const at = p.path.length ? formatPath(p.path) : '';
  // Field errors already start with their field ("name: must not be empty"): say it once.
  const lead = /^([^\s:]+): /.exec(p.message)?.[1];
  const showAt = at && !(lead && at.endsWith(lead));
  const subject = p.nodeId ? `node "${p.nodeId}"` : p.edgeId ? `edge "${p.edgeId}"` : '';
  const where = subject && showAt ? `${subject} (at ${at})` : subject || (showAt ? `at ${at}` : '');
  return where ? `${where}: ${p.message}` : p.message;
}

/**
 * Reads a flow file a person picked: every problem that stops the import, said with where it
 * is; or the document to store, under a fresh id when `taken` has its id already.
 */
export function readFlowImport(text: string, taken: ReadonlySet<string>): FlowImport {
  const result = validateFlowText(text);
  const blocking = result.problems.filter((p) => UNSTORABLE.has(p.code));
  if (blocking.length) {
    const first = blocking[0]!.code;
    const summary =
      first === 'invalid_json'
        ? 'it is not valid JSON'
        : first === 'not_a_flow'
          ? 'it is not a Trellis flow'
          : first === 'unsupported_version'
            ? 'it is written for a flow format this editor does not know'
            : `it is not a valid Trellis flow (${blocking.length} problem${blocking.length === 1 ? '' : 's'})`;
    return { ok: false, summary, problems: blocking.map(describeProblem) };
  }
  // The file as written (not the loader's reading, which fills in defaults and drops broken edges).
  const raw = JSON.parse(text) as Flow;
  const fresh = taken.has(raw.id) ? uniqueFlowId(raw.id, taken) : undefined;
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  return {
    ok: true,
    document: fresh ? { ...raw, id: fresh } : raw,
    ...(fresh ? { renamedFrom: raw.id } : {}),
    errors,
    warnings: result.problems.length - errors,
  };
}

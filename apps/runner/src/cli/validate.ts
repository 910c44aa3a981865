// `trellis validate`: every problem of a flow at once. It loads only the browser-safe half of
// the node kinds (their specs), never the executors and the model SDKs behind them.
import { formatProblem, type Flow, type PromptPin } from '@trellis/schema';
import { validateFlowText } from '@trellis/nodes';
import type { UnresolvedReference } from '../engine/prompts.js';
import { PROMPT_FLAGS_HINT, checkPrompts, openPromptSource, promptReferences, type PromptSource, type PromptSourceOptions } from './prompts.js';
import { EXIT, readText } from './files.js';
import { stylist } from './style.js';

export interface ValidateOptions extends PromptSourceOptions {
  json?: boolean;
}

/** What validate says about a flow's library prompts: checked against a source, or why they could not be. */
interface PromptCheck {
  references: string[];
  checked: boolean;
  source?: string;
  pins?: PromptPin[];
  problems?: UnresolvedReference[];
}

async function checkFlowPrompts(flow: Flow, source: PromptSource | undefined): Promise<PromptCheck | undefined> {
  const references = promptReferences(flow);
  if (!references.length) return undefined;
  const check: PromptCheck = { references: [...new Set(references.map((r) => r.ref))], checked: Boolean(source) };
  if (!source) return check;
  const result = await checkPrompts(flow, source);
  return { ...check, source: source.describe, ...('pinned' in result ? { pins: result.pinned.pins } : { problems: result.problems }) };
}

export async function validateCommand(path: string, options: ValidateOptions): Promise<number> {
  const source = await openPromptSource(options);
  try {
    return await validateWith(path, options, source);
  } finally {
    await source?.close();
  }
}

async function validateWith(path: string, options: ValidateOptions, source: PromptSource | undefined): Promise<number> {
  const loaded = validateFlowText(await readText(path, 'flow file'));
  const prompts = loaded.flow && loaded.ok ? await checkFlowPrompts(loaded.flow, source) : undefined;
  const promptErrors = prompts?.problems?.length ?? 0;
  const ok = loaded.ok && promptErrors === 0;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok, problems: loaded.problems, ...(prompts ? { prompts } : {}) }, null, 2)}\n`);
    return ok ? EXIT.ok : EXIT.failed;
  }
  const s = stylist(process.stdout);
  const [first] = loaded.problems;
  if (loaded.problems.length === 1 && first && ['invalid_json', 'not_a_flow', 'unsupported_version'].includes(first.code)) {
    process.stdout.write(`${s('red', '✗')} ${path}: ${first.message}\n`);
    return EXIT.failed;
  }
  for (const problem of loaded.problems) {
    const mark = problem.severity === 'error' ? s('red', '✗') : s('yellow', '!');
    process.stdout.write(`${mark} ${formatProblem(problem)}\n`);
  }
  let errors = loaded.problems.filter((p) => p.severity === 'error').length;
  let warnings = loaded.problems.length - errors;
  if (prompts && !prompts.checked) {
    warnings++;
    process.stdout.write(`${s('yellow', '!')} the flow uses library prompts (${prompts.references.join(', ')}) that cannot be checked or resolved here: pass ${PROMPT_FLAGS_HINT}\n`);
  }
  for (const problem of prompts?.problems ?? []) {
    errors++;
    process.stdout.write(`${s('red', '✗')} error: ${problem.message}\n`);
  }
  if (prompts?.pins) {
    const pins = [...new Map(prompts.pins.map((p) => [p.ref, `${p.ref} → version ${p.version}`])).values()];
    process.stdout.write(`${s('green', '✓')} library prompts found in the ${prompts.source}: ${pins.join(', ')}\n`);
  }
  const counts = `${warnings ? `, ${plural(warnings, 'warning')}` : ''}`;
  if (errors) {
    process.stdout.write(`${path}: ${plural(errors, 'error')}${counts}\n`);
    return EXIT.failed;
  }
  const flow = loaded.flow!;
  process.stdout.write(`${s('green', '✓')} ${path}: flow "${flow.id}" is valid (${plural(flow.nodes.length, 'node')}, ${plural(flow.edges.length, 'edge')}${counts})\n`);
  return EXIT.ok;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

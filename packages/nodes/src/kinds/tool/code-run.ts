import { codeSyntaxError, loadSandbox, runCode, type ConsoleLine } from '../../lib/sandbox.js';
import { TrellisError } from '../../errors.js';
import { renderValue } from '../../lib/template.js';
import type { ExecResult, Scope } from '../../runtime.js';
import { setCodeSyntaxCheck, type CodeToolConfig } from './code.js';

/**
 * The server half of the code tool: runs its body in the QuickJS sandbox (lib/sandbox.ts). The
 * spec's syntax check borrows the sandbox from here, so the editor never loads QuickJS; the
 * sandbox starts loading as soon as the server imports the kinds, so validation finds it ready.
 */
setCodeSyntaxCheck(codeSyntaxError);
loadSandbox().catch(() => undefined); // a failure to load shows up, with its reason, at the first run

const MB = 1024 * 1024;

function limits(config: CodeToolConfig, signal: AbortSignal) {
  return { timeoutMs: config.timeoutMs, memoryBytes: config.memoryMb * MB, maxOutputBytes: config.maxOutputBytes, signal };
}

/**
 * As a step: `args` is the config's `args` rendered over the scope, or the scope's data.
 * The console lines go into the step's decision, so the trace shows them beside the output.
 */
export async function runCodeStep(config: CodeToolConfig, scope: Scope, signal: AbortSignal): Promise<ExecResult> {
  const args = config.args === undefined ? { input: scope.input, nodes: scope.nodes, vars: scope.vars } : await renderValue(config.args, scope);
  const { result, console } = await runCode({ code: config.code, args, ...limits(config, signal) });
  return { status: 'done', output: result, ...(console.length > 0 ? { decision: { console } } : {}) };
}

/**
 * As an agent's tool: `args` is what the model passed, and the model sees exactly what the code
 * returned. A tool has no channel to the trace of its own (the agent records the call and its
 * result), so console lines are not kept there; when the code fails, the last few are added to
 * the error the model and the trace see, which is where they help.
 */
export async function runCodeTool(config: CodeToolConfig, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
  try {
    return (await runCode({ code: config.code, args, ...limits(config, signal) })).result;
  } catch (error) {
    const printed = TrellisError.isInstance(error) ? (error.details as { console?: ConsoleLine[] } | undefined)?.console : undefined;
    if (!printed || !TrellisError.isInstance(error)) throw error;
    const tail = printed.slice(-TOOL_ERROR_CONSOLE_LINES).map((l) => `${l.level}: ${l.text.slice(0, 200)}`);
    throw new TrellisError(error.code, `${error.message}; its last console output: ${tail.join(' | ')}`, { details: error.details });
  }
}

/** How many console lines a failed tool call's error carries. */
const TOOL_ERROR_CONSOLE_LINES = 5;

// `trellis run`: runs a flow in this process (an in-memory checkpoint store) and prints its live trace.
import { userInfo } from 'node:os';
import { formatProblem, type Flow, type RunEvent } from '@trellis/schema';
import { validateFlowText, createModelResolver } from '@trellis/nodes/server';
import { Engine, type RunResult } from '../engine/engine.js';
import { MemoryCheckpointStore } from '../engine/memory-store.js';
import { UnresolvedPromptError } from '../engine/prompts.js';
import { firstWait } from '../engine/first-wait.js';
import { askOnTerminal } from './approve.js';
import { askingAgent, unattendedAnswer } from './question.js';
import { siblingFlows } from './flows.js';
import type { FlowSource } from '../engine/subflows.js';
import { PROMPT_FLAGS_HINT, listReferences, openPromptSource, promptReferences, type PromptSource, type PromptSourceOptions } from './prompts.js';
import { CliError, EXIT, parseJson, readText } from './files.js';
import { ConfigError, mcpServersFromFile } from '../server/config.js';
import { stylist } from './style.js';
import { TracePrinter, formatUsage } from './trace.js';

/** A flow file, loaded and checked; with its text as written (`trellis test --update` rewrites it). */
export async function loadFlowFile(path: string): Promise<{ flow: Flow; warnings: string[]; text: string }> {
  const text = await readText(path, 'flow file');
  const loaded = validateFlowText(text);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (!loaded.ok || !loaded.flow) {
    const [first] = errors;
    if (errors.length === 1 && first && ['invalid_json', 'not_a_flow', 'unsupported_version'].includes(first.code)) {
      throw new CliError(`${path}: ${first.message}`, EXIT.failed);
    }
    throw new CliError(`${path} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map((p) => `  ${formatProblem(p)}`).join('\n')}\n(run "trellis validate ${path}" for details)`, EXIT.failed);
  }
  return { flow: loaded.flow, warnings: loaded.problems.filter((p) => p.severity === 'warning').map(formatProblem), text };
}

export interface RunOptions extends PromptSourceOptions {
  input?: string;
  inputFile?: string;
  sample?: string;
  mocks?: string;
  mocksFile?: string;
  json?: boolean;
  approve?: 'all' | 'none';
  answers?: string;
  allowPrivateNetwork?: boolean;
  maxModelCalls?: number;
  maxTokens?: number;
}

export async function runCommand(path: string, options: RunOptions): Promise<number> {
  const { flow, warnings } = await loadFlowFile(path);
  const references = promptReferences(flow);
  const source = await openPromptSource(options);
  try {
    if (references.length && !source) {
      throw new CliError(`flow "${flow.id}" uses library prompts (${listReferences(references)}): pass ${PROMPT_FLAGS_HINT} to take them from`, EXIT.failed);
    }
    return await runWith(flow, warnings, options, source, source?.flows ?? siblingFlows(path));
  } finally {
    await source?.close();
  }
}

async function runWith(flow: Flow, warnings: string[], options: RunOptions, source: PromptSource | undefined, flows: FlowSource): Promise<number> {
  const err = process.stderr;
  const s = stylist(err);
  if (options.input !== undefined && options.inputFile !== undefined) throw new CliError('give --input or --input-file, not both');
  if (options.mocks !== undefined && options.mocksFile !== undefined) throw new CliError('give --mocks or --mocks-file, not both');

  let sample = options.sample ? flow.samples?.find((x) => x.name === options.sample) : undefined;
  if (options.sample && !sample) {
    const names = flow.samples?.map((x) => x.name).join(', ');
    throw new CliError(`flow "${flow.id}" has no sample "${options.sample}"${names ? ` (it has: ${names})` : ' (it has none)'}`);
  }
  let input: unknown;
  if (options.input !== undefined) input = parseJson(options.input, '--input');
  else if (options.inputFile !== undefined) input = parseJson(await readText(options.inputFile, 'input file'), `input file ${options.inputFile}`);
  else if (sample) input = sample.input;
  else if (flow.samples?.[0]) {
    sample = flow.samples[0];
    input = sample.input;
    if (!options.json) err.write(s('dim', `no --input given: using the flow's sample "${sample.name}"\n`));
  } else input = {};
  let mocks: unknown = sample?.mocks;
  if (options.mocks !== undefined) mocks = parseJson(options.mocks, '--mocks');
  else if (options.mocksFile !== undefined) mocks = parseJson(await readText(options.mocksFile, 'mocks file'), `mocks file ${options.mocksFile}`);

  const printer = options.json ? undefined : new TracePrinter(process.stdout, flow);
  const onEvent = (event: RunEvent) => {
    if (options.json) process.stdout.write(`${JSON.stringify(event)}\n`);
    else printer!.print(event);
  };
  if (!options.json) for (const w of warnings) err.write(s('yellow', `${w}\n`));

  let mcpServers;
  try {
    mcpServers = process.env.TRELLIS_MCP_SERVERS ? mcpServersFromFile(process.env.TRELLIS_MCP_SERVERS) : undefined;
  } catch (error) {
    throw error instanceof ConfigError ? new CliError(error.message) : error;
  }
  const store = new MemoryCheckpointStore();
  const engine = new Engine({
    store,
    onEvent,
    models: createModelResolver({ fallbackToTest: true }),
    ...(source ? { prompts: source.resolver } : {}),
    flows,
    network: { allowPrivateNetwork: Boolean(options.allowPrivateNetwork) || process.env.TRELLIS_ALLOW_PRIVATE_NETWORK === '1', ...(mcpServers ? { mcpServers } : {}) },
  });
  const budget = {
    ...flow.settings?.budget,
    ...(options.maxModelCalls ? { maxModelCalls: options.maxModelCalls } : {}),
    ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
  };

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    err.write(s('yellow', '\ncancelling the run (Ctrl-C again to quit at once)\n'));
    controller.abort('interrupted from the terminal');
  };
  process.on('SIGINT', onSigint);
  const by = `cli:${safeUser()}`;
  const scripted = options.answers === undefined ? undefined : parseJson(options.answers, '--answers');
  if (scripted !== undefined && (typeof scripted !== 'object' || scripted === null || Array.isArray(scripted))) {
    throw new CliError('--answers: give an object of answers by node id, e.g. {"ask": {"answer": "yes"}}');
  }
  const answers = scripted as Record<string, unknown> | undefined;
  try {
    let result: RunResult;
    try {
      result = await engine.start(flow, { input, mocks, budget, signal: controller.signal });
    } catch (error) {
      if (!(error instanceof UnresolvedPromptError)) throw error;
      const lines = error.problems.map((p) => `  ${p.message}`).join('\n');
      throw new CliError(`flow "${flow.id}" uses library prompts the ${source?.describe ?? 'library'} cannot give:\n${lines}`, EXIT.failed);
    }
    const interactive = process.stdin.isTTY && !options.json && !options.approve;
    const mainRunId = result.runId;
    while (result.status === 'waiting') {
      // A run waiting on a sub-flow waits for what that child (or its own child) waits for.
      const waiting = await firstWait(store, result);
      if (!waiting) break;
      const { wait, runId: waitingRun } = waiting;
      let answer;
      if (wait.kind === 'question') {
        // A question is asked on the terminal, or answered by --answers or its default; a run that can ask no one stops here.
        let unattended;
        try {
          // On a terminal only a scripted answer skips the question; elsewhere its default answers too.
          unattended = unattendedAnswer(wait, answers, by, { takeDefault: !interactive });
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.failed);
        }
        if (unattended) answer = unattended;
        else if (interactive) {
          printer?.finish();
          answer = await askOnTerminal(wait, { input: process.stdin, output: process.stdout }, by, { label: printer?.label(wait.nodeId) ?? wait.nodeId });
        } else break;
      } else if (options.approve) {
        answer = { waitId: wait.waitId, approved: options.approve === 'all', by: `${by} (--approve ${options.approve})` };
      } else if (interactive) {
        printer?.finish();
        answer = await askOnTerminal(wait, { input: process.stdin, output: process.stdout }, by, { label: printer?.label(wait.nodeId) ?? wait.nodeId });
      } else {
        break;
      }
      result = await engine.resume(waitingRun, { answer, signal: controller.signal });
      if (waitingRun !== mainRunId) result = await engine.settled(mainRunId);
    }
    printer?.finish();
    if (result.status === 'waiting' && !result.waiting.length) {
      // Say what the sub-flow it waits on waits for.
      const found = await firstWait(store, result);
      if (found) result = { ...result, waiting: [found.wait] };
    }
    return report(result, options, printer);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function report(result: RunResult, options: RunOptions, printer: TracePrinter | undefined): number {
  const out = process.stdout;
  const s = stylist(out);
  if (result.status === 'waiting') {
    // One line a wait: the question's first line (the trace above shows all of it).
    const waits = result.waiting.map((w) => `"${w.nodeId}" (${w.message.trim().replace(/\s*\n[\s\S]*$/, ' …')})`).join(', ');
    const question = result.waiting.find((w) => w.kind === 'question');
    const how = question
      ? `Answer with --answers '{"${askingAgent(question) ?? question.nodeId}": …}' (an answer matching its form: ${JSON.stringify(question.schema ?? {})}), or give the question a default answer.`
      : 'Answer with --approve all or --approve none.';
    process.stderr.write(`run ${result.runId} is waiting for ${question ? 'an answer' : 'approval'} at ${waits}: no terminal to ask on, so the run stops here as waiting. ${how}\n`);
    return EXIT.waiting;
  }
  if (options.json) return result.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  if (result.status === 'succeeded') {
    out.write(`${s('bold', 'output')}\n${JSON.stringify(result.output, null, 2)}\n`);
  }
  if (printer?.testProviderNodes.size) {
    out.write(s('yellow', `ℹ this run used the deterministic test provider for ${printer.labelsOf(printer.testProviderNodes.keys()).join(', ')}: its answers are not a real model's.\n`));
  }
  const usage = formatUsage(result.usage);
  if (usage) out.write(s('dim', `total: ${usage}\n`));
  return result.status === 'succeeded' ? EXIT.ok : result.status === 'cancelled' ? EXIT.interrupted : EXIT.failed;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

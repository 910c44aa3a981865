import { userInfo } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { MAX_SUBFLOW_DEPTH, errorMessage, formatProblem, type Flow, type PromptPin, type RunEvent } from '@trellis/schema';
import { TrellisError, flowSchema, validateFlowText, createModelResolver } from '@trellis/nodes/server';
import { Engine, type RunResult } from '../engine/engine.js';
import { MemoryCheckpointStore } from '../engine/memory-store.js';
import { UnresolvedPromptError, type UnresolvedReference } from '../engine/prompts.js';
import { runResult } from '../engine/run-result.js';
import { askOnTerminal } from './approve.js';
import { askingAgent, unattendedAnswer } from './question.js';
import { siblingFlows } from './flows.js';
import type { FlowSource } from '../engine/subflows.js';
import { PROMPT_FLAGS_HINT, checkPrompts, listReferences, openPromptSource, promptReferences, type PromptSource, type PromptSourceOptions } from './prompts.js';
import { serveCommand, type ServeOptions } from './serve.js';
import { CliError, parseJson, readText } from './files.js';
import { ConfigError, mcpServersFromFile } from '../server/config.js';
import { stylist } from './style.js';
import { VERSION } from '../version.js';
import { TracePrinter, formatUsage } from './trace.js';

/** Exit codes: what a script calling `trellis` can branch on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3, interrupted: 130 } as const;

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
  return n;
};

const portNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('the port must be a whole number from 0 to 65535');
  return n;
};

async function loadFlowFile(path: string): Promise<{ flow: Flow; warnings: string[] }> {
  const loaded = validateFlowText(await readText(path, 'flow file'));
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (!loaded.ok || !loaded.flow) {
    const [first] = errors;
    if (errors.length === 1 && first && ['invalid_json', 'not_a_flow', 'unsupported_version'].includes(first.code)) {
      throw new CliError(`${path}: ${first.message}`, EXIT.failed);
    }
    throw new CliError(`${path} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map((p) => `  ${formatProblem(p)}`).join('\n')}\n(run "trellis validate ${path}" for details)`, EXIT.failed);
  }
  return { flow: loaded.flow, warnings: loaded.problems.filter((p) => p.severity === 'warning').map(formatProblem) };
}

interface ValidateOptions extends PromptSourceOptions {
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

async function validateCommand(path: string, options: ValidateOptions): Promise<number> {
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

interface RunOptions extends PromptSourceOptions {
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

async function runCommand(path: string, options: RunOptions): Promise<number> {
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

/** The first wait of a run, or of the sub-flow runs it waits on (depth first), with the run that owns it. */
async function firstWait(store: MemoryCheckpointStore, result: RunResult, depth = 0): Promise<{ wait: RunResult['waiting'][number]; runId: string } | undefined> {
  if (result.waiting[0]) return { wait: result.waiting[0], runId: result.runId };
  if (depth >= MAX_SUBFLOW_DEPTH) return undefined;
  const snapshot = await store.load(result.runId);
  for (const state of Object.values(snapshot?.nodes ?? {})) {
    for (const child of Object.values(state.children ?? {})) {
      const loaded = await store.load(child);
      if (loaded?.run.status !== 'waiting') continue;
      const found = await firstWait(store, runResult(loaded.run, new Map(Object.entries(loaded.nodes))), depth + 1);
      if (found) return found;
    }
  }
  return undefined;
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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('trellis')
    .description('Trellis: AI workflows, agents and hybrids.\nExit codes: 0 ok, 1 failed or invalid, 2 usage error, 3 waiting for approval or an answer, 130 interrupted.')
    .version(VERSION, '-v, --version', 'print the version and exit')
    .showHelpAfterError('(add --help for usage)');
  program
    .command('validate')
    .description('print every problem of a flow at once; exit 1 if any is an error')
    .argument('<flow>', 'flow file (JSON)')
    .option('--json', 'print the problems as JSON')
    .option('--data <dir>', "check library prompt references against a runner's data folder (its SQLite database)")
    .option('--prompts <file>', 'check library prompt references against a prompt library export file')
    .action(async (path: string, opts: ValidateOptions) => {
      process.exitCode = await validateCommand(path, opts);
    });
  program
    .command('run')
    .description('run a flow and print its live trace')
    .argument('<flow>', 'flow file (JSON)')
    .option('-i, --input <json>', 'the run input, as JSON')
    .option('--input-file <path>', 'read the run input from a JSON file')
    .option('-s, --sample <name>', "use one of the flow's saved samples (input and mock script)")
    .option('--mocks <json>', 'mock script for the test provider: replies by node id')
    .option('--mocks-file <path>', 'read the mock script from a JSON file')
    .option('--json', 'print the run events as NDJSON (one RunEvent a line)')
    .option('--data <dir>', "take library prompts from a runner's data folder (its SQLite database, read only)")
    .option('--prompts <file>', 'take library prompts from a prompt library export file (GET /api/prompts/export)')
    .addOption(new Option('--approve <answer>', 'answer every approval without asking').choices(['all', 'none']))
    .option('--answers <json>', 'answers to questions by node id, e.g. {"ask": {"quantity": 3}}: each checked against its form')
    .option('--allow-private-network', 'let HTTP tools reach loopback and private addresses')
    .option('--max-model-calls <n>', 'budget: most model calls for the run', positiveInt('--max-model-calls'))
    .option('--max-tokens <n>', 'budget: most tokens for the run', positiveInt('--max-tokens'))
    .action(async (path: string, opts: RunOptions) => {
      process.exitCode = await runCommand(path, opts);
    });
  program
    .command('serve')
    .description('start the runner: HTTP API, published flows and the editor (PORT, HOST, TRELLIS_DATA, DATABASE_URL)')
    .option('-p, --port <n>', 'port to listen on (default: PORT or 3000)', portNumber)
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .option('--data <dir>', 'directory of the SQLite database (default: TRELLIS_DATA or ./data)')
    .option('--no-examples', 'do not load the bundled example flows into a new database')
    .action(async (opts: ServeOptions) => {
      await serveCommand(opts);
    });
  program
    .command('schema')
    .description('print the JSON Schema of the flow format')
    .action(() => {
      process.stdout.write(`${JSON.stringify(flowSchema(), null, 2)}\n`);
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `trellis run … | head`: the reader went away, so there is no one left to print for. Stop
  // quietly, as a Unix tool does, instead of dying of an unhandled EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`trellis: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else if (TrellisError.isInstance(error)) {
      process.stderr.write(`trellis: ${error.message}\n`);
      process.exitCode = EXIT.failed;
    } else {
      process.stderr.write(`trellis: unexpected error: ${errorMessage(error)}\n`);
      if (process.env.TRELLIS_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
      process.exitCode = EXIT.failed;
    }
  }
}

// The `trellis` command line. Each command's module is imported when that command runs, so
// `trellis validate` never loads the engine, the HTTP server or the model SDKs.
import { Command, InvalidArgumentError, Option } from 'commander';
import { errorMessage } from '@trellis/schema';
import { TrellisError, flowSchema } from '@trellis/nodes';
import { CliError, EXIT } from './files.js';
import type { RunOptions } from './run.js';
import type { ServeOptions } from './serve.js';
import type { TestOptions } from './test.js';
import type { EvalOptions } from './eval.js';
import type { ValidateOptions } from './validate.js';
import { VERSION } from '../version.js';

export { EXIT };

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
      const { validateCommand } = await import('./validate.js');
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
      const { runCommand } = await import('./run.js');
      process.exitCode = await runCommand(path, opts);
    });
  program
    .command('test')
    .description("run the flows' test cases (their samples) offline and report them; exit 1 if any fails")
    .argument('[paths...]', 'flow files, or folders to search for *.flow.json (default: this folder)')
    .addOption(new Option('--reporter <kind>', 'how to report').choices(['pretty', 'json', 'junit']).default('pretty'))
    .option('-o, --output <file>', 'write the report to a file (the terminal still gets the summary)')
    .option('-u, --update', 'accept the outputs the runs give as the cases\' expectations (shows each change)')
    .option('--live', 'call the real models configured instead of the mock scripts')
    .option('-c, --concurrency <n>', 'cases run at once (default 4)', positiveInt('--concurrency'))
    .option('--timeout <ms>', 'bound of each case (default 60000)', positiveInt('--timeout'))
    .option('--case <text>', 'only the cases whose name holds this text')
    .option('--data <dir>', "take library prompts from a runner's data folder (its SQLite database, read only)")
    .option('--prompts <file>', 'take library prompts from a prompt library export file (GET /api/prompts/export)')
    .option('--allow-private-network', 'let HTTP tools reach loopback and private addresses')
    .action(async (paths: string[], opts: TestOptions) => {
      const { testCommand } = await import('./test.js');
      process.exitCode = await testCommand(paths, opts);
    });
  program
    .command('eval')
    .description('run a flow over a dataset file (CSV or JSONL) and score every row; exit 1 if a row failed to run')
    .argument('<flow>', 'flow file (JSON)')
    .requiredOption('-d, --dataset <file>', 'the rows: JSONL (a row or an input per line) or CSV (a column per input field; "expected" for the expectation)')
    .addOption(new Option('--format <format>', 'the dataset file\'s format (default: by its extension)').choices(['csv', 'jsonl']))
    .option('--column <column=target...>', 'where a CSV column goes: input.<field>, expected, expected.<field>, metadata.<key> or skip')
    .option('-s, --scorers <json|file>', 'the scorers, a JSON list (default: a JSON match of each row\'s expected value)')
    .option('-c, --concurrency <n>', 'rows run at once (default 4)', positiveInt('--concurrency'))
    .option('--live', 'call the real models configured instead of the rows\' mock scripts')
    .option('-o, --output <file>', "write every row's result as JSON (for trellis compare)")
    .option('--json', 'print the summary as JSON')
    .option('--timeout <ms>', 'bound of each row (default 60000)', positiveInt('--timeout'))
    .option('--data <dir>', "take library prompts (and judge rubrics) from a runner's data folder")
    .option('--prompts <file>', 'take library prompts (and judge rubrics) from a prompt library export file')
    .option('--allow-private-network', 'let HTTP tools reach loopback and private addresses')
    .action(async (path: string, opts: EvalOptions) => {
      const { evalCommand } = await import('./eval.js');
      process.exitCode = await evalCommand(path, opts);
    });
  program
    .command('compare')
    .description('compare two "trellis eval --output" files row by row: score, latency, token and cost deltas, and the rows that regressed')
    .argument('<base>', 'results file of the base')
    .argument('<candidate>', 'results file of the candidate')
    .option('--fail-on-regression', 'exit 1 when a row regressed')
    .option('--json', 'print the comparison as JSON')
    .action(async (base: string, candidate: string, opts: { failOnRegression?: boolean; json?: boolean }) => {
      const { compareCommand } = await import('./eval.js');
      process.exitCode = await compareCommand(base, candidate, opts);
    });
  program
    .command('serve')
    .description('start the runner: HTTP API, published flows and the editor (PORT, HOST, TRELLIS_DATA, DATABASE_URL)')
    .option('-p, --port <n>', 'port to listen on (default: PORT or 3000)', portNumber)
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .option('--data <dir>', 'directory of the SQLite database (default: TRELLIS_DATA or ./data)')
    .option('--no-examples', 'do not load the bundled example flows into a new database')
    .action(async (opts: ServeOptions) => {
      const { serveCommand } = await import('./serve.js');
      await serveCommand(opts);
    });
  program
    .command('worker')
    .description('take runs from the queue the runners on one PostgreSQL database share, without HTTP (DATABASE_URL, TRELLIS_MAX_RUNS)')
    .option('--max-runs <n>', 'most runs executing here at once (default: TRELLIS_MAX_RUNS or 100)', positiveInt('--max-runs'))
    .action(async (opts: { maxRuns?: number }) => {
      const { workerCommand } = await import('./serve.js');
      await workerCommand(opts);
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

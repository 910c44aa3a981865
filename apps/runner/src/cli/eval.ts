// `trellis eval`: a flow file run over a dataset file (CSV or JSONL), several rows at once, each
// row scored; a progress bar on a terminal, a summary, and the results as JSON for `trellis compare`.
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Scorer, type Experiment, type ExperimentRow, type ExperimentSummary } from '@trellis/schema';
import { createModelResolver, flowInputSchema } from '@trellis/nodes/server';
import { knownPrices } from '../engine/meter.js';
import { compareExperiments, runExperiment, type RowResult } from '../evals/experiment.js';
import { importRows } from '../evals/dataset-import.js';
import { withIds } from '../evals/scorers.js';
import { CliError, EXIT, parseJson, readText } from './files.js';
import { siblingFlows } from './flows.js';
import { PROMPT_FLAGS_HINT, listReferences, openPromptSource, promptReferences, type PromptSourceOptions } from './prompts.js';
import { loadFlowFile } from './run.js';
import { progressBar, stylist } from './style.js';

export interface EvalOptions extends PromptSourceOptions {
  dataset: string;
  format?: 'csv' | 'jsonl';
  column?: string[];
  scorers?: string;
  concurrency?: number;
  live?: boolean;
  output?: string;
  json?: boolean;
  timeout?: number;
  allowPrivateNetwork?: boolean;
}

/** What `--output` writes, and `trellis compare` reads. */
export interface EvalResults {
  kind: 'trellis.eval/v1';
  flow: { id: string; file: string };
  dataset: { file: string; rows: number };
  scorers: Scorer[];
  summary: ExperimentSummary;
  rows: ExperimentRow[];
  at: string;
}

export async function evalCommand(flowPath: string, options: EvalOptions): Promise<number> {
  const { flow } = await loadFlowFile(flowPath);
  const format = options.format ?? (extname(options.dataset).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  const columns = Object.fromEntries((options.column ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(`--column ${pair}: write it as COLUMN=TARGET, e.g. --column customer=input.customerId`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
  let rows;
  try {
    rows = importRows({ format, text: await readText(options.dataset, 'dataset file'), columns, inputSchema: flowInputSchema(flow), name: options.dataset });
  } catch (error) {
    const problems = ((error as { details?: { problems?: { path: string; message: string }[] } }).details?.problems ?? []).map((p) => `  ${p.path}: ${p.message}`);
    throw new CliError(`${options.dataset}: ${(error as Error).message}${problems.length > 1 ? `\n${problems.join('\n')}` : ''}`, EXIT.failed);
  }
  const scorers = await parseScorers(options.scorers, rows.some((r) => r.expected !== undefined));
  const source = await openPromptSource(options);
  const err = process.stderr;
  const paint = stylist(err);
  try {
    const references = promptReferences(flow);
    const judged = scorers.some((s) => s.type === 'judge');
    if ((references.length || judged) && !source) throw new CliError(`${references.length ? `flow "${flow.id}" uses library prompts (${listReferences(references)})` : 'a judge scorer reads its rubric from the prompt library'}: pass ${PROMPT_FLAGS_HINT} to take them from`, EXIT.failed);
    const results: RowResult[] = [];
    const progress = progressBar(err, rows.length, 'rows');
    const summary = await runExperiment({
      flow,
      rows,
      scorers,
      concurrency: options.concurrency ?? 4,
      live: options.live ?? false,
      ...(source ? { prompts: source.resolver } : {}),
      flows: source?.flows ?? siblingFlows(flowPath),
      network: { allowPrivateNetwork: Boolean(options.allowPrivateNetwork) || process.env.TRELLIS_ALLOW_PRIVATE_NETWORK === '1' },
      models: createModelResolver({ fallbackToTest: !options.live }),
      prices: knownPrices(),
      timeoutMs: options.timeout ?? 60_000,
      signal: new AbortController().signal,
      onRow: (result, done) => {
        results[result.index] = result;
        progress.at(done);
      },
    });
    progress.done();
    const rowsOut: ExperimentRow[] = results.map((r) => ({ ...r, input: rows[r.index]!.input, ...(rows[r.index]!.expected === undefined ? {} : { expected: rows[r.index]!.expected }) }));
    if (options.output) {
      const file: EvalResults = { kind: 'trellis.eval/v1', flow: { id: flow.id, file: flowPath }, dataset: { file: options.dataset, rows: rows.length }, scorers, summary, rows: rowsOut, at: new Date().toISOString() };
      await writeFile(options.output, `${JSON.stringify(file, null, 2)}\n`);
    }
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(summaryText(summary, rowsOut, stylist(process.stdout)));
    if (options.output) err.write(paint('dim', `wrote every row's result to ${options.output}\n`));
    return summary.failed ? EXIT.failed : EXIT.ok;
  } finally {
    await source?.close();
  }
}

/** The scorers given (a JSON list, inline or in a file), or a JSON match of each row's expected value when none is. */
async function parseScorers(text: string | undefined, expectations: boolean): Promise<Scorer[]> {
  if (text === undefined) {
    if (!expectations) throw new CliError('the dataset has no expected values to score against: give --scorers (a JSON list, or a file of one), e.g. --scorers \'[{"type":"cel","expression":"size(output.reply) > 0"}]\'');
    return [{ type: 'json_match' }];
  }
  // JSON as given, or the file it names.
  const value = parseJson(text.trim().startsWith('[') || text.trim().startsWith('{') ? text : await readText(text, 'scorers file'), '--scorers');
  const parsed = Scorer.array().min(1).safeParse(Array.isArray(value) ? value : [value]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--scorers: scorer ${Number(issue.path[0] ?? 0) + 1}${issue.path.length > 1 ? ` (${issue.path.slice(1).join('.')})` : ''}: ${issue.message}`);
  }
  const ids = withIds(parsed.data).map((s) => s.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new CliError(`--scorers: two scorers have the id "${twice}": give each its own id`);
  return parsed.data;
}


type Paint = ReturnType<typeof stylist>;

/** The summary a person reads: each scorer, latency, tokens, cost, and the rows that did worst. */
export function summaryText(summary: ExperimentSummary, rows: readonly ExperimentRow[], paint: Paint): string {
  const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(1)}%`);
  const lines = [
    `${paint('bold', 'rows:')} ${summary.rows} (${summary.succeeded} succeeded${summary.failed ? `, ${paint('red', `${summary.failed} failed`)}` : ''}) in ${(summary.durationMs / 1000).toFixed(2)} s`,
    '',
    `${'scorer'.padEnd(20)} ${'mean'.padStart(8)} ${'passed'.padStart(8)} ${'errors'.padStart(7)}`,
    ...summary.scorers.map((s) => `${s.id.padEnd(20)} ${(s.mean === null ? '–' : s.mean.toFixed(3)).padStart(8)} ${pct(s.passRate).padStart(8)} ${String(s.errors).padStart(7)}`),
    '',
    `${paint('bold', 'latency:')} ${summary.latencyMs ? `p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms` : '–'}   ${paint('bold', 'tokens:')} ${summary.tokens.total.toLocaleString('en-US')}   ${paint('bold', 'cost:')} ${summary.costUsd ? `$${summary.costUsd.total.toFixed(4)}` : 'unknown (a model has no price)'}`,
  ];
  if (summary.judge) lines.push(`${paint('bold', 'grading:')} ${summary.judge.modelCalls} judge calls, ${summary.judge.totalTokens.toLocaleString('en-US')} tokens, ${summary.judge.costUsd === null ? 'cost unknown' : `$${summary.judge.costUsd.toFixed(4)}`} (apart from the flow's)`);
  const worst = rows.filter((r) => Object.values(r.scores).some((s) => !s.passed)).slice(0, 5);
  if (worst.length) {
    lines.push('', paint('bold', 'rows that did not pass:'));
    for (const r of worst) {
      const failed = Object.entries(r.scores).filter(([, s]) => !s.passed).map(([id, s]) => `${id}${s.reason ? `: ${s.reason}` : ''}`);
      lines.push(`  row ${r.index + 1}: ${failed.join('; ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `trellis compare BASE CANDIDATE`: two result files of the same dataset side by side. */
export async function compareCommand(basePath: string, candidatePath: string, options: { failOnRegression?: boolean; json?: boolean }): Promise<number> {
  const [base, candidate] = await Promise.all([readResults(basePath), readResults(candidatePath)]);
  if (base.dataset.rows !== candidate.dataset.rows) process.stderr.write(`note: the files scored different datasets (${base.dataset.rows} and ${candidate.dataset.rows} rows): rows are matched by position\n`);
  const asExperiment = (r: EvalResults, file: string): Experiment => ({ id: file, flowId: r.flow.id, flowVersion: 1, datasetId: r.dataset.file, datasetVersion: 1, scorers: r.scorers, concurrency: 1, live: false, status: 'completed', rowsTotal: r.dataset.rows, rowsDone: r.rows.length, summary: r.summary, createdAt: r.at });
  const compared = compareExperiments(asExperiment(base, basePath), base.rows, asExperiment(candidate, candidatePath), candidate.rows);
  if (options.json) process.stdout.write(`${JSON.stringify({ ...compared, base: basePath, candidate: candidatePath }, null, 2)}\n`);
  else {
    const paint = stylist(process.stdout);
    const signed = (n: number | null, digits: number, better: 'up' | 'down') => {
      if (n === null) return '–';
      const text = `${n > 0 ? '+' : ''}${n.toFixed(digits)}`;
      return n === 0 ? text : (n > 0) === (better === 'up') ? paint('green', text) : paint('red', text);
    };
    const lines = [`${paint('bold', 'base')} ${basePath}  →  ${paint('bold', 'candidate')} ${candidatePath}`, ''];
    for (const [id, delta] of Object.entries(compared.scoreDeltas)) lines.push(`${id.padEnd(20)} ${signed(delta, 3, 'up')}`);
    lines.push(`${'latency (mean ms)'.padEnd(20)} ${signed(compared.latencyDeltaMs, 1, 'down')}`, `${'tokens'.padEnd(20)} ${signed(compared.tokensDelta, 0, 'down')}`, `${'cost (USD)'.padEnd(20)} ${signed(compared.costDeltaUsd, 4, 'down')}`, '');
    lines.push(`${compared.improved} rows improved, ${compared.regressed ? paint('red', `${compared.regressed} regressed`) : '0 regressed'}, ${compared.rows.length - compared.improved - compared.regressed} the same`);
    for (const row of compared.rows.filter((r) => r.change === 'regressed').slice(0, 10)) {
      const was = Object.entries(row.base?.scores ?? {}).map(([id, s]) => `${id} ${s.score ?? '–'}`).join(', ');
      const now = Object.entries(row.candidate?.scores ?? {}).map(([id, s]) => `${id} ${s.score ?? '–'}${s.reason ? ` (${s.reason})` : ''}`).join(', ');
      lines.push(`  ${paint('red', '↓')} row ${row.index + 1}: ${was} → ${now}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return options.failOnRegression && compared.regressed ? EXIT.failed : EXIT.ok;
}

async function readResults(path: string): Promise<EvalResults> {
  const value = parseJson(await readText(path, 'results file'), path) as Partial<EvalResults>;
  if (value.kind !== 'trellis.eval/v1' || !Array.isArray(value.rows) || !value.summary) throw new CliError(`${path} is not a results file of "trellis eval --output"`);
  return value as EvalResults;
}

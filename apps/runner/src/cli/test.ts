// `trellis test`: runs the test cases (samples) of flow files offline, several at once, and
// reports them; `--update` accepts the outputs the runs gave as the cases' expectations.
import { readdir, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { Assertion, Flow, Sample } from '@trellis/schema';
import { checkCase } from '../testing/assertions.js';
import { flowCaseRunner, pool, type CaseResult } from '../testing/run-case.js';
import { diffOf, jsonReport, junitReport, prettyReport, totalsOf, type FlowResult } from '../testing/report.js';
import { CliError, EXIT } from './files.js';
import { siblingFlows } from './flows.js';
import { PROMPT_FLAGS_HINT, listReferences, openPromptSource, promptReferences, type PromptSource, type PromptSourceOptions } from './prompts.js';
import { loadFlowFile } from './run.js';
import { progressBar, stylist } from './style.js';

export interface TestOptions extends PromptSourceOptions {
  reporter?: 'pretty' | 'json' | 'junit';
  output?: string;
  update?: boolean;
  live?: boolean;
  concurrency?: number;
  timeout?: number;
  case?: string;
  allowPrivateNetwork?: boolean;
}

/** A folder is searched this deep, and for at most this many flow files. */
const MAX_DEPTH = 6;
const MAX_FILES = 2000;
/** The output assertions: a case with none of these gets one from `--update`. */
const ON_OUTPUT = new Set<Assertion['type']>(['equals', 'contains', 'json_subset', 'json_schema', 'cel']);

export async function testCommand(paths: readonly string[], options: TestOptions): Promise<number> {
  const began = performance.now();
  const files = await flowFiles(paths.length ? paths : ['.']);
  if (!files.length) throw new CliError(`no flow files (*.flow.json) in ${paths.length ? paths.join(', ') : 'this folder'}`);
  const source = await openPromptSource(options);
  const err = process.stderr;
  try {
    const loaded = await Promise.all(files.map((file) => loadForTest(file, source, options)));
    const total = loaded.reduce((n, f) => n + (f.flow ? f.cases.length : 0), 0);
    const progress = progressBar(err, total, 'cases');
    const flows: FlowResult[] = loaded.map((f) => ({ file: f.file, flowId: f.flow?.id ?? f.file, cases: [], ...(f.error ? { error: f.error } : {}) }));
    const jobs = loaded.flatMap((f, i) => (f.run ? f.cases.map((sample) => ({ flowIndex: i, run: f.run!, sample })) : []));
    const results = new Map<(typeof jobs)[number], CaseResult>();
    await pool(jobs, options.concurrency ?? 4, async (job) => {
      const result = await job.run(job.sample);
      results.set(job, result);
      progress.at(results.size);
    });
    progress.done();
    // In the flow's own order, whichever finished first.
    for (const job of jobs) flows[job.flowIndex]!.cases.push(results.get(job)!);
    if (options.update) await updateCases(loaded, flows);

    const totals = totalsOf(flows, performance.now() - began);
    const reporter = options.reporter ?? 'pretty';
    const text = reporter === 'json' ? jsonReport(flows, totals) : reporter === 'junit' ? junitReport(flows, totals) : prettyReport(flows, totals, stylist(options.output ? err : process.stdout));
    if (options.output) {
      await writeFile(options.output, text);
      // The file is for CI; the person at the terminal still sees how it went.
      if (reporter !== 'pretty') err.write(prettyReport(flows, totals, stylist(err)));
      err.write(`wrote the ${reporter} report to ${options.output}\n`);
    } else process.stdout.write(text);
    return totals.failed ? EXIT.failed : EXIT.ok;
  } finally {
    await source?.close();
  }
}

interface LoadedFlow {
  file: string;
  /** The file's JSON as written (for --update), its flow, and the cases to run. */
  raw?: { samples?: unknown[] } & Record<string, unknown>;
  flow?: Flow;
  cases: Sample[];
  run?: (sample: Sample) => Promise<CaseResult>;
  error?: string;
}

async function loadForTest(file: string, source: PromptSource | undefined, options: TestOptions): Promise<LoadedFlow> {
  let flow: Flow;
  let raw: LoadedFlow['raw'];
  try {
    const loaded = await loadFlowFile(file);
    flow = loaded.flow;
    raw = JSON.parse(loaded.text) as LoadedFlow['raw'];
  } catch (error) {
    return { file, cases: [], error: (error as Error).message };
  }
  const references = promptReferences(flow);
  if (references.length && !source) return { file, flow, cases: [], error: `flow "${flow.id}" uses library prompts (${listReferences(references)}): pass ${PROMPT_FLAGS_HINT} to take them from` };
  const cases = (flow.samples ?? []).filter((s) => options.case === undefined || s.name.includes(options.case));
  const run = flowCaseRunner(flow, {
    ...(source ? { prompts: source.resolver } : {}),
    flows: source?.flows ?? siblingFlows(file),
    network: { allowPrivateNetwork: Boolean(options.allowPrivateNetwork) || process.env.TRELLIS_ALLOW_PRIVATE_NETWORK === '1' },
    timeoutMs: options.timeout ?? 60_000,
    ...(options.live ? { live: true } : {}),
  });
  return { file, raw, flow, cases, run };
}

/**
 * Accepts what the runs gave: a failed `equals` takes the value the run gave, and a case that
 * checks nothing of the output gains an `equals` of it. Each change is shown; the files are
 * written back; the cases are checked again against their new expectations.
 */
async function updateCases(loaded: readonly LoadedFlow[], flows: FlowResult[]): Promise<void> {
  const err = process.stderr;
  const paint = stylist(err);
  for (const [i, flow] of flows.entries()) {
    const { raw, file } = loaded[i]!;
    const samples = raw?.samples;
    if (!Array.isArray(samples)) continue;
    let changed = 0;
    for (const result of flow.cases) {
      if (result.outcome.status !== 'succeeded') continue;
      const at = samples.findIndex((s) => (s as { name?: unknown }).name === result.name);
      const written = samples[at] as Sample | undefined;
      if (!written) continue;
      const expect = [...(written.expect ?? [])];
      const notes: string[] = [];
      for (const r of result.results) {
        if (r.passed || r.assertion.type !== 'equals' || r.index === undefined || !('actual' in r)) continue;
        expect[r.index] = { ...r.assertion, value: r.actual };
        notes.push(`output${r.assertion.path ? `.${r.assertion.path}` : ''} updated`, ...diffOf(r, paint).map((l) => `  ${l}`));
      }
      if (!expect.some((a) => ON_OUTPUT.has(a.type))) {
        expect.push({ type: 'equals', value: result.outcome.output });
        notes.push('now expects the output it gave');
      }
      if (!notes.length) continue;
      written.expect = expect;
      changed++;
      err.write(`${paint('yellow', '↻')} ${flow.flowId} › ${result.name}: ${notes.join('\n    ')}\n`);
      // Checked again: what is left failing is not an output that changed.
      result.results = checkCase({ ...written, expect }, result.outcome);
      result.passed = result.results.every((x) => x.passed);
    }
    if (changed) {
      await writeFile(file, `${JSON.stringify(raw, null, 2)}\n`);
      err.write(paint('dim', `updated ${changed} case${changed === 1 ? '' : 's'} in ${file}\n`));
    }
  }
}

/** The flow files the paths name: a file as it is, a folder's `*.flow.json` (its subfolders too). */
async function flowFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= MAX_FILES) return;
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) await walk(path, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.flow.json')) found.push(path);
    }
  };
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new CliError(`cannot read ${path}: no such file or folder`);
    if (info.isDirectory()) await walk(path, 0);
    else found.push(path);
  }
  // Named as short as can be: relative to here when under it, else as given.
  return [...new Set(found)].map((p) => {
    const near = relative('.', p);
    return near && !near.startsWith('..') && !isAbsolute(near) ? near : p;
  });
}

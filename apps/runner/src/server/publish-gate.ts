import { TrellisError, type Flow, type PublishGate } from '@trellis/schema';
import { withIds } from '../evals/scorers.js';
import type { PublishGateOutcome, Store } from '../store/types.js';
import type { Logger } from './logger.js';
import type { RunService } from './service.js';

/** What a publish gate runs with: the flow's cases (RunService.runTests) and experiments. */
export interface GateDeps {
  service: RunService;
  store: Store;
  log: Logger;
}

type ExperimentGate = NonNullable<PublishGate['experiment']>;

/**
 * A version's publish gate: its cases run when the flow asks for them to pass, and its
 * experiment when it names one. A gate that fails refuses the publish (`gate_failed`, with the
 * cases' report and the experiment's scores) unless it is overridden with a reason.
 */
export async function checkGate(deps: GateDeps, flowId: string, version: number, flow: Flow, override: { reason: string; by?: string } | undefined, slug: string): Promise<PublishGateOutcome> {
  const gate = flow.settings?.gate;
  if (!gate?.cases && !gate?.experiment) return { gate: 'none' };
  const problems: string[] = [];
  const details: Record<string, unknown> = {};
  let failedCases: string[] = [];
  if (gate.cases) {
    const report = await deps.service.runTests(flowId, {}, version);
    details.report = report;
    const failed = report.cases.filter((c) => !c.passed);
    failedCases = failed.map((c) => c.name);
    if (!report.cases.length) problems.push('it requires its test cases to pass, but it has none');
    else if (failed.length) {
      const named = failed.slice(0, 3).map((c) => `"${c.name}" (${c.checks.find((x) => !x.passed)?.message ?? 'failed'})`).join('; ');
      problems.push(`${failed.length} of ${report.cases.length} cases fail: ${named}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}`);
    }
  }
  if (gate.experiment) {
    const scored = await gateExperiment(deps, flowId, version, gate.experiment, slug);
    details.experiment = scored.details;
    problems.push(...scored.problems);
  }
  if (!problems.length) return { gate: 'passed' };
  if (!override) {
    throw new TrellisError('gate_failed', `version ${version} of flow "${flowId}" fails its publish gate: ${problems.join('; and ')}. Fix it, or publish with an override and a reason`, { details });
  }
  deps.log.warn({ flowId, version, problems, by: override.by, reason: override.reason }, 'publish gate overridden');
  return { gate: 'overridden', reason: override.reason, ...(override.by ? { by: override.by } : {}), ...(failedCases.length ? { failedCases } : {}) };
}

/**
 * The gate's experiment: the candidate over the dataset, and the version the slug serves now
 * (when it serves another version of this flow), each stored as an experiment; what falls short.
 */
async function gateExperiment(deps: GateDeps, flowId: string, version: number, gate: ExperimentGate, slug: string) {
  const scorerId = gate.scorer ?? withIds(gate.scorers)[0]!.id;
  const run = async (v: number, role: string) => {
    const e = await deps.service.experiments.runToEnd({ name: `publish gate: ${role} version ${v} of ${flowId}`, flowId, version: v, datasetId: gate.dataset, scorers: gate.scorers, concurrency: 8 });
    if (e.status !== 'completed') throw new TrellisError('gate_failed', `the publish gate's experiment on dataset "${gate.dataset}" did not complete: ${e.error ?? e.status}`);
    const mean = e.summary?.scorers.find((s) => s.id === scorerId)?.mean ?? null;
    if (mean === null) throw new TrellisError('gate_failed', `the publish gate's scorer "${scorerId}" scored no row of dataset "${gate.dataset}"`);
    return { experimentId: e.id, version: v, score: mean };
  };
  const candidate = await run(version, 'candidate');
  const serving = await deps.store.getPublished(slug);
  const published = serving && serving.flowId === flowId && serving.version !== version ? await run(serving.version, 'published') : undefined;
  const problems: string[] = [];
  const score = (n: number) => n.toFixed(3);
  if (gate.minScore !== undefined && candidate.score < gate.minScore) problems.push(`it scores ${score(candidate.score)} on dataset "${gate.dataset}" (${scorerId}), under the minimum of ${gate.minScore}`);
  if (published && gate.maxDrop !== undefined && published.score - candidate.score > gate.maxDrop + 1e-9) {
    problems.push(`it scores ${score(candidate.score)} on dataset "${gate.dataset}" (${scorerId}), ${score(published.score - candidate.score)} below version ${published.version} that /v1/flows/${slug} serves now (${score(published.score)}), more than the ${gate.maxDrop} allowed`);
  }
  return { problems, details: { dataset: gate.dataset, scorer: scorerId, candidate, ...(published ? { published } : {}), ...(gate.minScore === undefined ? {} : { minScore: gate.minScore }), ...(gate.maxDrop === undefined ? {} : { maxDrop: gate.maxDrop }) } };
}

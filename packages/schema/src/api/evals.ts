import { z } from 'zod';
import { ErrorInfo, RunStatus, Usage } from '../events.js';
import { Id, MockScript } from '../flow.js';
import { CaseAnswer, SCORERS_MAX, Scorer } from '../test-cases.js';
import { Timestamp } from './common.js';
import { Author } from './flows.js';
import { NOTE_MAX } from './limits.js';

/*
 * Datasets (rows of inputs, with what each should give) versioned like prompts, and experiments:
 * a flow version (or a prompt version inside it) run over a dataset version, each row scored.
 */

export const DATASET_ROWS_MAX = 10_000;
export const EXPERIMENT_CONCURRENCY_MAX = 32;

/** One row of a dataset: an input, what it should give, and how a run of it is scripted. */
export const DatasetRow = z
  .object({
    input: z.unknown(),
    /** What the flow should give for this input; scorers compare the output with it. */
    expected: z.unknown().optional(),
    /** Replies of the test provider by node id, for experiments run offline. */
    mocks: MockScript.optional(),
    answers: z.record(z.string(), CaseAnswer).optional(),
    /** Where the row came from: `run <id>`, `rows.csv line 4`. */
    source: z.string().max(300).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .meta({ id: 'DatasetRow' });
export type DatasetRow = z.infer<typeof DatasetRow>;

const Rows = z.array(DatasetRow).max(DATASET_ROWS_MAX, `a dataset holds at most ${DATASET_ROWS_MAX} rows`);
const Change = { message: z.string().max(NOTE_MAX).optional(), author: Author.optional() };

export const CreateDataset = z
  .object({
    id: Id,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    rows: Rows.optional(),
    ...Change,
  })
  .strict()
  .meta({ id: 'CreateDataset' });
export type CreateDataset = z.infer<typeof CreateDataset>;

export const DatasetSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    latestVersion: z.number().int(),
    rowCount: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'DatasetSummary' });
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const DatasetVersionSummary = z
  .object({
    datasetId: z.string(),
    version: z.number().int(),
    rowCount: z.number().int(),
    createdAt: Timestamp,
    message: z.string().optional(),
    author: z.string().optional(),
  })
  .meta({ id: 'DatasetVersionSummary' });
export type DatasetVersionSummary = z.infer<typeof DatasetVersionSummary>;

export const DatasetVersion = DatasetVersionSummary.extend({ rows: z.array(DatasetRow) }).meta({ id: 'DatasetVersion' });
export type DatasetVersion = z.infer<typeof DatasetVersion>;

/** Rows added to a dataset (or replacing its rows): a new version. */
export const AddDatasetRows = z
  .object({
    rows: Rows,
    /** Replace every row rather than add these after them. */
    replace: z.boolean().optional(),
    ...Change,
  })
  .strict()
  .meta({ id: 'AddDatasetRows' });
export type AddDatasetRows = z.infer<typeof AddDatasetRows>;

/**
 * A CSV or JSONL file as rows of a new version. A JSONL line is a row (`input`, `expected`, …) or,
 * when it has no `input`, the input itself. A CSV's columns go where `columns` says
 * (`input.<field>`, `input`, `expected`, `expected.<field>`, `metadata.<key>`, `skip`); a column it
 * does not name goes to the input field of the same name. Values are typed by the flow's input
 * schema when `flowId` is given (a number column becomes numbers), and each row is checked against it.
 */
export const ImportDataset = z
  .object({
    format: z.enum(['csv', 'jsonl']),
    text: z.string().min(1),
    columns: z.record(z.string(), z.string().max(300)).optional(),
    flowId: Id.optional(),
    replace: z.boolean().optional(),
    ...Change,
  })
  .strict()
  .meta({ id: 'ImportDataset' });
export type ImportDataset = z.infer<typeof ImportDataset>;

/** A past run added as a row: its input, mock script and answers, and its output as the expectation. */
export const AddRunToDataset = z
  .object({
    runId: z.string().min(1).max(100),
    /** Take the run's output as the row's `expected` (the default), or leave it without one. */
    expected: z.enum(['output', 'none']).optional(),
    ...Change,
  })
  .strict()
  .meta({ id: 'AddRunToDataset' });
export type AddRunToDataset = z.infer<typeof AddRunToDataset>;

// Experiments.

export const StartExperiment = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    flowId: Id,
    /** The flow version; the latest when absent. */
    version: z.number().int().min(1).optional(),
    datasetId: Id,
    /** The dataset version; the latest when absent. */
    datasetVersion: z.number().int().min(1).optional(),
    scorers: z.array(Scorer).min(1).max(SCORERS_MAX),
    /** Library prompts the flow uses, at other versions than the flow pins (`{ "triage": 3 }`): to compare prompt versions. */
    prompts: z.record(z.string(), z.number().int().min(1)).optional(),
    concurrency: z.number().int().min(1).max(EXPERIMENT_CONCURRENCY_MAX).optional(),
    /** Call the real models configured; offline (the default), the test provider answers from each row's mock script. */
    live: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'StartExperiment' });
export type StartExperiment = z.infer<typeof StartExperiment>;

export const ScoreResult = z.object({
  /** From 0 to 1; null when the scorer could not score the row (why is in `reason`). */
  score: z.number().min(0).max(1).nullable(),
  passed: z.boolean(),
  reason: z.string().optional(),
});
export type ScoreResult = z.infer<typeof ScoreResult>;

/** A scorer's aggregate over the rows it scored. */
export const ScorerSummary = z.object({
  id: z.string(),
  type: z.string(),
  mean: z.number().nullable(),
  passRate: z.number().nullable(),
  scored: z.number().int(),
  errors: z.number().int(),
});
export type ScorerSummary = z.infer<typeof ScorerSummary>;

export const ExperimentSummary = z
  .object({
    rows: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    scorers: z.array(ScorerSummary),
    latencyMs: z.object({ p50: z.number(), p95: z.number(), mean: z.number() }).nullable(),
    tokens: z.object({ total: z.number().int(), mean: z.number() }),
    /** Null when a model used has no price. */
    costUsd: z.object({ total: z.number(), mean: z.number() }).nullable(),
    /** The judge scorers' own model calls, tokens and cost (not in the figures above, which are the flow's). */
    judge: Usage.optional(),
    durationMs: z.number(),
  })
  .meta({ id: 'ExperimentSummary' });
export type ExperimentSummary = z.infer<typeof ExperimentSummary>;

export const ExperimentStatus = z.enum(['running', 'completed', 'failed', 'cancelled']);
export type ExperimentStatus = z.infer<typeof ExperimentStatus>;

export const Experiment = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    flowId: z.string(),
    flowVersion: z.number().int(),
    datasetId: z.string(),
    datasetVersion: z.number().int(),
    scorers: z.array(Scorer),
    prompts: z.record(z.string(), z.number().int()).optional(),
    concurrency: z.number().int(),
    live: z.boolean(),
    status: ExperimentStatus,
    rowsTotal: z.number().int(),
    rowsDone: z.number().int(),
    summary: ExperimentSummary.optional(),
    error: z.string().optional(),
    createdAt: Timestamp,
    finishedAt: Timestamp.optional(),
  })
  .meta({ id: 'Experiment' });
export type Experiment = z.infer<typeof Experiment>;

export const ExperimentRow = z
  .object({
    index: z.number().int(),
    status: RunStatus,
    input: z.unknown(),
    expected: z.unknown().optional(),
    output: z.unknown().optional(),
    error: ErrorInfo.optional(),
    scores: z.record(z.string(), ScoreResult),
    durationMs: z.number(),
    usage: Usage,
  })
  .meta({ id: 'ExperimentRow' });
export type ExperimentRow = z.infer<typeof ExperimentRow>;

/** One experiment's side of a compared row. */
const ComparedSide = z.object({ status: RunStatus, output: z.unknown().optional(), scores: z.record(z.string(), ScoreResult), durationMs: z.number(), usage: Usage });

/** Two experiments on the same dataset side by side, row by row. */
export const ExperimentComparison = z
  .object({
    base: Experiment,
    candidate: Experiment,
    /** Per scorer: the candidate's mean minus the base's. */
    scoreDeltas: z.record(z.string(), z.number().nullable()),
    latencyDeltaMs: z.number().nullable(),
    costDeltaUsd: z.number().nullable(),
    tokensDelta: z.number(),
    rows: z.array(
      z.object({
        index: z.number().int(),
        input: z.unknown(),
        expected: z.unknown().optional(),
        change: z.enum(['improved', 'regressed', 'same']),
        base: ComparedSide.optional(),
        candidate: ComparedSide.optional(),
      }),
    ),
    improved: z.number().int(),
    regressed: z.number().int(),
  })
  .meta({ id: 'ExperimentComparison' });
export type ExperimentComparison = z.infer<typeof ExperimentComparison>;

import { createRoute, z } from '@hono/zod-openapi';
import {
  AddDatasetRows,
  AddRunToDataset,
  CreateDataset,
  DATASET_ROWS_MAX,
  DatasetSummary,
  DatasetVersion,
  DatasetVersionSummary,
  Experiment,
  ExperimentComparison,
  ExperimentRow,
  ID_PARAM_MAX,
  ImportDataset,
  Items,
  RunEvent,
  StartExperiment,
  TrellisError,
} from '@trellis/schema';
import { flowInputSchema } from '@trellis/nodes';
import { compareExperiments } from '../../evals/experiment.js';
import { importRows } from '../../evals/dataset-import.js';
import type { Api, Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { rowFromRun } from '../experiments.js';
import { IdParam, errorResponses, json, jsonBody } from '../schemas.js';

const VersionParam = IdParam.extend({ version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' }, example: 2 }) });
const RowParam = IdParam.extend({ index: z.coerce.number().int().min(0).openapi({ param: { name: 'index', in: 'path' }, example: 0 }) });
const Page = z.object({ offset: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
const ExperimentQuery = z.object({ flowId: z.string().max(ID_PARAM_MAX).optional(), datasetId: z.string().max(ID_PARAM_MAX).optional(), limit: z.coerce.number().int().min(1).max(500).optional() });
const CompareQuery = z.object({ base: z.string().min(1).max(100), candidate: z.string().min(1).max(100) });

/** Datasets (versioned rows) and experiments (a flow version run over a dataset version, scored). */
export function evalRoutes(app: Api, { store, service }: Deps): void {
  const datasets = store.evals;
  const datasetOf = async (id: string) => (await datasets.getDataset(id)) ?? Promise.reject(notFound('dataset', id));

  app.openapi(
    createRoute({ method: 'get', path: '/api/datasets', tags: ['Evaluations'], summary: 'List datasets', responses: { 200: json(Items(DatasetSummary), 'The datasets, last changed first') } }),
    async (c) => c.json({ items: await datasets.listDatasets() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/datasets',
      tags: ['Evaluations'],
      summary: 'Create a dataset',
      description: `Version 1 holds the rows given (none when absent); at most ${DATASET_ROWS_MAX} rows.`,
      request: { body: jsonBody(CreateDataset) },
      responses: { 201: json(DatasetSummary, 'The dataset'), ...errorResponses(400, 409, 413) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await datasets.createDataset({ ...body, rows: body.rows ?? [] }), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/datasets/{id}', tags: ['Evaluations'], summary: 'A dataset', request: { params: IdParam }, responses: { 200: json(DatasetSummary, 'The dataset'), ...errorResponses(404) } }),
    async (c) => c.json(await datasetOf(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/api/datasets/{id}', tags: ['Evaluations'], summary: 'Delete a dataset and its versions', description: 'Experiments that used it keep their results.', request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errorResponses(404) } }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await datasets.deleteDataset(id))) throw notFound('dataset', id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/datasets/{id}/versions', tags: ['Evaluations'], summary: "A dataset's versions", request: { params: IdParam }, responses: { 200: json(Items(DatasetVersionSummary), 'Newest first'), ...errorResponses(404) } }),
    async (c) => {
      const { id } = c.req.valid('param');
      await datasetOf(id);
      return c.json({ items: await datasets.datasetVersions(id) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/datasets/{id}/versions/{version}', tags: ['Evaluations'], summary: 'A dataset version with its rows', request: { params: VersionParam }, responses: { 200: json(DatasetVersion, 'The version'), ...errorResponses(404) } }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      const found = await datasets.datasetVersion(id, version);
      if (!found) throw (await datasets.getDataset(id)) ? new TrellisError('not_found', `dataset "${id}" has no version ${version}`) : notFound('dataset', id);
      return c.json(found, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/datasets/{id}/rows',
      tags: ['Evaluations'],
      summary: 'Add rows (a new version)',
      description: 'The rows go after the latest version\'s, or replace them with `replace: true`; either way a new version is made.',
      request: { params: IdParam, body: jsonBody(AddDatasetRows) },
      responses: { 201: json(DatasetVersionSummary, 'The new version'), ...errorResponses(400, 404, 413) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await datasetOf(id);
      return c.json(await datasets.addDatasetVersion(id, c.req.valid('json'), DATASET_ROWS_MAX), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/datasets/{id}/import',
      tags: ['Evaluations'],
      summary: 'Import a CSV or JSONL file (a new version)',
      description:
        'A JSONL line is a row (`input`, `expected`, `mocks`, …) or, without `input`, the input itself. A CSV column goes where `columns` maps it ' +
        '(`input.<field>`, `input`, `expected`, `expected.<field>`, `metadata.<key>`, `skip`), else to the input field of its name; a column named `expected` is the expectation. ' +
        "With `flowId`, CSV values are typed by the flow's input schema and every row's input is checked against it. " +
        'Nothing is imported when a row is wrong: 400 `invalid_dataset` names each problem by row and field. The file counts against the body limit (TRELLIS_BODY_LIMIT).',
      request: { params: IdParam, body: jsonBody(ImportDataset) },
      responses: { 201: json(DatasetVersionSummary, 'The new version'), ...errorResponses(400, 404, 413) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await datasetOf(id);
      const inputSchema = body.flowId ? flowInputSchema((await service.flowVersion(body.flowId)).document) : undefined;
      const rows = importRows({ format: body.format, text: body.text, columns: body.columns, inputSchema, name: body.format === 'csv' ? 'CSV' : 'JSONL' });
      return c.json(await datasets.addDatasetVersion(id, { rows, replace: body.replace, message: body.message ?? `imported ${rows.length} rows from ${body.format.toUpperCase()}`, author: body.author }, DATASET_ROWS_MAX), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/datasets/{id}/runs',
      tags: ['Evaluations'],
      summary: 'Add a past run as a row (a new version)',
      description: "The run's input, mock script and the answers people gave it; its output as the row's expected value unless `expected` is `none`.",
      request: { params: IdParam, body: jsonBody(AddRunToDataset) },
      responses: { 201: json(DatasetVersionSummary, 'The new version'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await datasetOf(id);
      const row = await rowFromRun(store, body.runId, body.expected ?? 'output');
      return c.json(await datasets.addDatasetVersion(id, { rows: [row], message: body.message ?? `added run ${body.runId}`, author: body.author }, DATASET_ROWS_MAX), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/experiments',
      tags: ['Evaluations'],
      summary: 'Start an experiment',
      description:
        'Runs a flow version over a dataset version in the background, `concurrency` rows at once (4 by default), offline on each row\'s mock script unless `live`. ' +
        'Each row is scored by every scorer; latency, tokens and cost are kept too. `prompts` runs the flow with other versions of its library prompts, to compare prompt versions. ' +
        'Answers 202 with the experiment; GET it for progress (`rowsDone` of `rowsTotal`) and, once it ends, its summary.',
      request: { body: jsonBody(StartExperiment) },
      responses: { 202: json(Experiment, 'The experiment, running'), ...errorResponses(400, 404, 422) },
    }),
    async (c) => c.json(await service.experiments.begin(c.req.valid('json')), 202),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/experiments', tags: ['Evaluations'], summary: 'List experiments', request: { query: ExperimentQuery }, responses: { 200: json(Items(Experiment), 'Newest first') } }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ items: await datasets.listExperiments({ flowId: q.flowId, datasetId: q.datasetId, limit: q.limit ?? 100 }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/experiments/compare',
      tags: ['Evaluations'],
      summary: 'Compare two experiments',
      description: 'Row by row (by the dataset row each ran): which rows improved or regressed by their mean score over the scorers both have, and the score, latency, cost and token deltas (candidate minus base).',
      request: { query: CompareQuery },
      responses: { 200: json(ExperimentComparison, 'The comparison'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { base, candidate } = c.req.valid('query');
      const [a, b] = await Promise.all([experimentOf(base), experimentOf(candidate)]);
      if (a.datasetId !== b.datasetId) throw new TrellisError('invalid_request', `the experiments ran different datasets ("${a.datasetId}" and "${b.datasetId}"): compare experiments on the same dataset`);
      const [rowsA, rowsB] = await Promise.all([rowsOf(a), rowsOf(b)]);
      return c.json(compareExperiments(a, rowsA, b, rowsB), 200);
    },
  );

  const experimentOf = async (id: string) => (await datasets.getExperiment(id)) ?? Promise.reject(notFound('experiment', id));
  const rowsOf = async (e: Experiment, page = { offset: 0, limit: DATASET_ROWS_MAX }) => datasets.experimentRows(e.id, (await datasets.datasetVersion(e.datasetId, e.datasetVersion))?.rows ?? [], page);

  app.openapi(
    createRoute({ method: 'get', path: '/api/experiments/{id}', tags: ['Evaluations'], summary: 'An experiment: its progress, and its summary once it ends', request: { params: IdParam }, responses: { 200: json(Experiment, 'The experiment'), ...errorResponses(404) } }),
    async (c) => c.json(await experimentOf(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/experiments/{id}/rows',
      tags: ['Evaluations'],
      summary: "An experiment's rows",
      description: 'The rows finished so far, in dataset order, each with its input, expected value, output, scores, latency and usage.',
      request: { params: IdParam, query: Page },
      responses: { 200: json(Items(ExperimentRow), 'The rows'), ...errorResponses(404) },
    }),
    async (c) => {
      const e = await experimentOf(c.req.valid('param').id);
      const q = c.req.valid('query');
      return c.json({ items: await rowsOf(e, { offset: q.offset ?? 0, limit: q.limit ?? 200 }) }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/experiments/{id}/rows/{index}/events', tags: ['Evaluations'], summary: "A row's trace", request: { params: RowParam }, responses: { 200: json(Items(RunEvent), "The row's run events"), ...errorResponses(404) } }),
    async (c) => {
      const { id, index } = c.req.valid('param');
      const events = await datasets.experimentRowEvents(id, index);
      if (!events) throw new TrellisError('not_found', `experiment "${id}" has no row ${index} (yet)`);
      return c.json({ items: events }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/api/experiments/{id}/cancel', tags: ['Evaluations'], summary: 'Cancel a running experiment', description: 'Rows under way finish; no other starts. The rows so far stay.', request: { params: IdParam }, responses: { 200: json(Experiment, 'The experiment'), ...errorResponses(404, 409) } }),
    async (c) => {
      const e = await experimentOf(c.req.valid('param').id);
      if (e.status !== 'running') throw new TrellisError('conflict', `experiment "${e.id}" has already ${e.status === 'completed' ? 'completed' : e.status}`);
      if (!service.experiments.cancel(e.id)) throw new TrellisError('conflict', `experiment "${e.id}" runs on another runner`);
      return c.json(await experimentOf(e.id), 200);
    },
  );
}

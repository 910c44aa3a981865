import { z } from 'zod';
import { ErrorInfo, RunStatus } from '../events.js';
import { Approval } from './approvals.js';

/**
 * What a published flow (`/v1/flows/:slug`) answers. Both its routes, the run and the status of
 * a run, use these shapes; the OpenAPI document lists them once and each published flow's path
 * adds only its own input and output schemas.
 */

/**
 * A wait of a run as a published endpoint shows it: `id` is the approval or question to answer,
 * at `answerUrl`: a question (with the JSON Schema of its answer) with the endpoint's API key,
 * at POST /v1/flows/:slug/runs/:runId/questions/:id; an approval on the admin API.
 */
export const EndpointWait = Approval.pick({ id: true, nodeId: true, waitId: true, kind: true, message: true, payload: true, schema: true, deadline: true })
  .extend({
    answerUrl: z.string().meta({
      description: 'Where to answer (POST): a question `{ answer }` with the same API key, under the run; an approval `{ decision }` on the admin API',
    }),
  })
  .meta({ id: 'EndpointWait' });
export type EndpointWait = z.infer<typeof EndpointWait>;

/** A step of the run whose model calls the deterministic test provider answered instead of a real model. */
export const TestProviderStep = z
  .object({
    nodeId: z.string().meta({ description: 'The step (under its container round, e.g. `each.2.draft`; in a sub-flow, the child run\'s step)' }),
    model: z.string().meta({ description: 'The model the flow asked for' }),
    reason: z.string().meta({ description: 'Why the test provider answered, e.g. "no OPENAI_API_KEY is set"' }),
  })
  .meta({ id: 'TestProviderStep' });
export type TestProviderStep = z.infer<typeof TestProviderStep>;

/**
 * 200: the run succeeded; `output` is what the flow's output node mapped. `testProvider` is there
 * only when some model call was answered by the test provider: the output is then made up, not a
 * model's (the `X-Trellis-Test-Provider` header names the same steps).
 */
export const EndpointOutput = z
  .object({
    runId: z.string(),
    status: z.literal('succeeded'),
    output: z.unknown(),
    testProvider: z.array(TestProviderStep).optional().meta({
      description: 'Present when the deterministic test provider answered some model calls (no key for the provider, or a `test:` model): those steps, their models and why. The output is test output, not a real model\'s.',
    }),
    note: z.string().optional().meta({
      description: 'Present when no output node ran (the run took a branch with nothing wired to an output, e.g. an approval rejected): `output` is then null, and this says where the run ended',
    }),
  })
  .meta({ id: 'EndpointOutput' });
export type EndpointOutput = z.infer<typeof EndpointOutput>;

/** 202: the run goes on (async mode, waiting for a person, or still running after the sync timeout). */
export const EndpointAccepted = z
  .object({
    runId: z.string(),
    status: RunStatus,
    statusUrl: z.string().meta({ description: 'Where to poll the run (GET, same key)' }),
    waiting: z.array(EndpointWait).optional().meta({ description: 'What the run waits for, when it waits for a person' }),
    message: z.string().optional(),
  })
  .meta({ id: 'EndpointAccepted' });
export type EndpointAccepted = z.infer<typeof EndpointAccepted>;

/** GET …/runs/:runId while the run has not succeeded (a succeeded run answers `EndpointOutput`). */
export const EndpointRunStatus = z
  .object({
    runId: z.string(),
    status: RunStatus,
    error: ErrorInfo.optional(),
    waiting: z.array(EndpointWait).optional(),
    finished: z.boolean().meta({ description: 'True once the run has ended (failed or cancelled)' }),
  })
  .meta({ id: 'EndpointRunStatus' });
export type EndpointRunStatus = z.infer<typeof EndpointRunStatus>;

import { createRoute, z } from '@hono/zod-openapi';
import { FlowTestReport, ID_PARAM_MAX, RunFlowTests, StepTestResult, TestStep } from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { IdParam, errorResponses, json, jsonBody } from '../schemas.js';

const NodeParam = IdParam.extend({ nodeId: z.string().min(1).max(ID_PARAM_MAX).openapi({ param: { name: 'nodeId', in: 'path' }, example: 'classify' }) });

/** POST /api/flows/:id/steps/:nodeId/test: the editor's "Test this step"; POST /api/flows/:id/tests: the flow's test cases. */
export function stepRoutes(app: Api, { service }: Deps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/flows/{id}/steps/{nodeId}/test',
      tags: ['Runs'],
      summary: 'Test one step',
      description:
        'Runs one node of the flow on its own, with the scope given (the input, the outputs of the steps before it by node id, vars), ' +
        'as a run would run it (same models, test provider, library prompts, credentials, timeouts) and answers how it went. ' +
        'Runs the draft sent as `document`, else the latest saved version. Nothing is stored: no run, no trace, no approval. ' +
        'An approval or a question answers `waiting` with what it would ask. A map or loop runs its body; a sub-flow step is refused (400), as its child would be a stored run. ' +
        "A scope missing the output of a step the node reads is refused (400), naming it. A step's own failure is a 200 with `status: failed`.",
      request: { params: NodeParam, body: jsonBody(TestStep) },
      responses: { 200: json(StepTestResult, 'How the step went'), ...errorResponses(400, 404, 413, 422) },
    }),
    async (c) => {
      const { id, nodeId } = c.req.valid('param');
      const body = c.req.valid('json');
      return c.json(await service.testStep(id, nodeId, body), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/flows/{id}/tests',
      tags: ['Runs'],
      summary: "Run a flow's test cases",
      description:
        "Runs the flow's test cases (its samples: input, mock script, the answers they give people, and `expect`) offline, " +
        'four at once: every model is the test provider answering from the case\'s mock script, and nothing is stored. ' +
        'Runs the draft sent as `document` (its cases included), else the latest saved version; `cases` picks cases by name. ' +
        'Each case says whether it passed and each check, with what was expected and what the run gave. A failed case is a 200 with `passed: false`.',
      request: { params: IdParam, body: jsonBody(RunFlowTests) },
      responses: { 200: json(FlowTestReport, 'How each case went'), ...errorResponses(400, 404, 413, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await service.runTests(id, c.req.valid('json')), 200);
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import { ID_PARAM_MAX, StepTestResult, TestStep } from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { IdParam, errorResponses, json, jsonBody } from '../schemas.js';

const NodeParam = IdParam.extend({ nodeId: z.string().min(1).max(ID_PARAM_MAX).openapi({ param: { name: 'nodeId', in: 'path' }, example: 'classify' }) });

/** POST /api/flows/:id/steps/:nodeId/test: the editor's "Test this step". */
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
}

/** Issue 13: `{{ input.mesage }}` is flagged against the fields the input schema declares, with the closest one. */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../src/index.js';
import { edge, flow } from '@trellis/test-support/flows';

const withInput = (schema: Record<string, unknown>, template: string) =>
  flow(
    [
      { id: 'in', type: 'input', config: { schema } },
      { id: 'p', type: 'prompt', config: { model: 'test:echo', prompt: { template } } },
      { id: 'out', type: 'output', config: { value: '{{ nodes.p.output }}' } },
    ],
    [edge('e1', 'in', 'p'), edge('e2', 'p', 'out')],
    { id: 'f', name: 'F' },
  );
const unknown = (schema: Record<string, unknown>, template: string) =>
  validateFlow(withInput(schema, template)).problems.filter((p) => p.code === 'unknown_variable').map((p) => p.message);
const ticket = { type: 'object', properties: { message: { type: 'string' }, customerId: { type: 'string' } }, required: ['message'] };

describe('input fields in templates', () => {
  it('warns on a field the input schema does not declare, suggesting the closest', () => {
    expect(unknown(ticket, 'Classify: {{ input.mesage }}')).toEqual(['{{input.mesage}}: the input schema has no field "mesage" (did you mean input.message?)']);
    expect(unknown(ticket, '{{ input.total }}')).toEqual(['{{input.total}}: the input schema has no field "total" (its fields: message, customerId)']);
    const problem = validateFlow(withInput(ticket, '{{ input.mesage }}')).problems[0];
    expect(problem).toMatchObject({ severity: 'warning', nodeId: 'p', path: ['nodes', 1, 'config', 'prompt', 'template'] });
  });

  it('accepts declared fields, the whole input, and schemas that let any field in', () => {
    expect(unknown(ticket, '{{ input.message }} {{ input.customerId }} {{ input }} {{ input.message.size }}')).toEqual([]);
    expect(unknown({ ...ticket, additionalProperties: true }, '{{ input.anything }}')).toEqual([]);
    expect(unknown({ type: 'object' }, '{{ input.anything }}')).toEqual([]);
    expect(unknown({ anyOf: [ticket] , properties: {} }, '{{ input.anything }}')).toEqual([]);
  });
});

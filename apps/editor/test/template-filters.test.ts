/** Issue 11: the inspector's live template check flags an unknown Liquid filter or tag as it is typed. */
import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { checkTemplateLeaves, checkTemplateText, templateScope } from '../src/inspector/scope.js';

const doc: Flow = {
  schema: FLOW_SCHEMA_V1,
  id: 'f',
  name: 'F',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
    { id: 'p', type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:echo', prompt: { template: 'x' } } },
  ],
  edges: [{ id: 'e1', source: 'in', sourceHandle: 'out', target: 'p', targetHandle: 'in' }],
};

describe('the live template check', () => {
  it('reports an unknown filter or tag as a syntax error naming it', () => {
    const scope = templateScope(doc, 'p');
    expect(checkTemplateText('{{ input.message | upcsae }}', scope).syntaxError).toBe('template does not parse: unknown filter "upcsae" (did you mean "upcase"?), line:1, col:1');
    expect(checkTemplateText('{% unles input.ok %}no{% endunless %}', scope).syntaxError).toMatch(/^template does not parse: unknown tag "unles" \(did you mean "unless"\?\)/);
    expect(checkTemplateText('{{ input.message | upcase }}', scope)).toEqual({ variables: ['input.message'], unknown: [] });
    expect(checkTemplateLeaves({ reply: '{{ input.message | downcsae }}' }, scope).syntaxErrors).toEqual(['reply: template does not parse: unknown filter "downcsae" (did you mean "downcase"?), line:1, col:1']);
  });
});

/** Issue 11: an unknown Liquid filter or tag is a problem naming it, never silently ignored. */
import { describe, expect, it } from 'vitest';
import { renderTemplate, renderValue } from '../src/server.js';
import { templateVariables, validateFlow } from '../src/index.js';
import { edge, flow as testFlow } from '@trellis/test-support/flows';

type Json = Record<string, unknown>;

const flow = (nodes: Json[], edges: Json[]): Json => testFlow(nodes, edges, { id: 'f', name: 'F' });

function promptFlow(template: string, value: unknown = { text: '{{ nodes.p.output }}' }): Json {
  return flow(
    [
      { id: 'in', type: 'input', config: {} },
      { id: 'p', type: 'prompt', config: { model: 'test:echo', prompt: { template } } },
      { id: 'out', type: 'output', config: { value } },
    ],
    [edge('e1', 'in', 'p'), edge('e2', 'p', 'out')],
  );
}

describe('unknown Liquid filters and tags', () => {
  it('make the flow invalid with a problem on the node and field, naming the filter and the likely one', () => {
    const result = validateFlow(promptFlow('Reply to {{ input.message | upcsae }}'));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'invalid_template',
        nodeId: 'p',
        path: ['nodes', 1, 'config', 'prompt', 'template'],
        message: 'template does not parse: unknown filter "upcsae" (did you mean "upcase"?), line:1, col:10',
      }),
    ]);
  });

  it('are found inside conditions, after other filters, and in template values such as an output mapping', () => {
    const inIf = validateFlow(promptFlow('{% if input.vip %}{{ input.name | default: "you" | shout }}{% endif %}'));
    expect(inIf.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^template does not parse: unknown filter "shout"/)]);
    const inValue = validateFlow(promptFlow('Hello', { reply: { text: '{{ nodes.p.output | strip_htlm }}' } }));
    expect(inValue.problems).toEqual([
      expect.objectContaining({ code: 'invalid_template', nodeId: 'out', path: ['nodes', 2, 'config', 'value', 'reply', 'text'], message: expect.stringContaining('unknown filter "strip_htlm" (did you mean "strip_html"?)') }),
    ]);
  });

  it('name an unknown tag', () => {
    const result = validateFlow(promptFlow('{% iff input.vip %}VIP{% endif %}'));
    expect(result.problems).toEqual([expect.objectContaining({ code: 'invalid_template', nodeId: 'p', message: expect.stringContaining('unknown tag "iff" (did you mean "if"?)') })]);
    expect(() => templateVariables('{% frobnicate %}')).toThrow(/^unknown tag "frobnicate", line:1, col:1$/);
  });

  it('leave known filters alone', () => {
    expect(validateFlow(promptFlow('{{ input.message | upcase | truncate: 20 }} {{ input.tags | join: ", " }}')).problems).toEqual([]);
  });

  it('fail a render with a TemplateError naming the filter, rather than render the value unfiltered', async () => {
    await expect(renderTemplate('{{ name | upcsae }}', { name: 'ada' })).rejects.toThrow('template does not parse: unknown filter "upcsae" (did you mean "upcase"?)');
    await expect(renderValue({ a: 'x {{ name | nope }}' }, { name: 'ada' })).rejects.toThrow(/unknown filter "nope"/);
    expect(await renderTemplate('{{ name | upcase }}', { name: 'ada' })).toBe('ADA');
  });
});

import { it } from 'vitest';
import { validateFlow, flowSchema } from '../src/index.js';
import { evaluateExpression, expressionSyntaxError } from '../src/lib/expression.js';
import { renderTemplate, renderValue } from '../src/lib/template.js';

const tryIt = async (label: string, f: () => unknown) => {
  try { console.log(label, '=>', JSON.stringify(await f())); } catch (e) { console.log(label, 'THROWS', (e as Error).name, (e as Error).message); }
};
it('probe', async () => {
  const scope = { input: { message: 'hi', n: 3, list: ['a', 'b'], obj: { a: 1 }, s: 'Hello World' }, nodes: { c: { output: { category: 'billing' } } }, vars: {} };
  for (const e of ['input.n > 1', 'input.n == 3', 'input.n > 1.5', "'a' in input.list", 'size(input.list)', 'size(input.message)', 'has(input.x)', 'has(input.n)', "input.s.startsWith('Hell')", "input.s.contains('World')", "input.s.endsWith('d')", "input.s.lowerAscii()", "input.s.matches('^H.*d$')", '1 + 2', '[1, 2, 3]', '{"a": 1}', 'input.constructor', 'input.__proto__', 'input.missing', "input.list.map(x, x + 'z')", 'input.n + 1', 'int(input.n)', 'input.obj']) {
    await tryIt('CEL ' + e, () => { const v = evaluateExpression(e, scope); return [typeof v, v]; });
  }
  console.log('syntax', expressionSyntaxError('input.n >'), expressionSyntaxError("a == 'b"));
  for (const t of ['{{ input.message }}', '{{ input.message | upcase }}', '{% if input.n > 2 %}big{% else %}small{% endif %}', '{{ input.obj }}', '{{ input.list }}', '{{ input.constructor }}', '{{ input.constructor.name }}', '{{ input.message.constructor }}', '{{ input.__proto__ }}', '{{ nope }}', '{{ input.nope }}', '{{ input.list.size }}', '{{ input.list | join: "," }}', '{{ input.message.length }}', '{% for x in input.list %}{{x}}{% endfor %}']) {
    await tryIt('LIQ ' + t, () => renderTemplate(t, scope));
  }
  for (const v of ['{{ input.n }}', '{{ input.obj }}', '{{input.list}}', ['{{ input.n }}', 'x {{ input.n }}'], '{{ nope }}', '{{ input.constructor }}']) {
    await tryIt('VAL ' + JSON.stringify(v), () => renderValue(v, scope));
  }
  const s = flowSchema();
  console.log(JSON.stringify(s).slice(0, 3000));
  const r = validateFlow({ schema: 'trellis.flow/v1', id: 'f', name: 'F', nodes: [{id:'in', type:'input'}, {id:'t', type:'tool', config: {tool:'bogus'}}, {id:'p', type:'prompt', config:{}}, {id:'p2', type:'prompt', config:{prompt:{}}}, {id:'c', type:'condition', config:{branches:[]}}, {id:'a', type:'agent', config:{instructions:'x', maxSteps:0}}], edges: [] });
  console.log(JSON.stringify(r.problems, null, 1));
});

/**
 * The two little languages a flow holds: Liquid templates (prompts, messages, mappings) and
 * CEL expressions (condition branches). Neither may reach JavaScript.
 */
import { describe, expect, it } from 'vitest';
import { renderTemplate, renderValue, TemplateError } from '../src/lib/template.js';
import { evaluateExpression, expressionSyntaxError, ExpressionError } from '../src/lib/expression.js';

const scope = {
  input: {
    message: 'My card was charged twice',
    n: 3,
    price: 9.5,
    tags: ['billing', 'urgent'],
    customer: { name: 'Ada', vip: true, email: 'ada@example.com' },
    empty: '',
  },
  nodes: {
    classify: { output: { category: 'billing', confidence: 0.92 } },
    draft: { output: 'Dear Ada' },
  },
  vars: { team: 'Billing Ops', limit: 2 },
};

/** What a leaked function body or prototype would look like in rendered text. */
const LEAK = /function|native code|\[object|=>|prototype|Object\(\)/;

async function renderError(source: string, s: object = scope): Promise<Error> {
  try {
    const out = await renderTemplate(source, s);
    throw new Error(`expected an error, rendered ${JSON.stringify(out)}`);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as Error;
  }
}

function celError(source: string, s: object = scope): Error {
  try {
    const value = evaluateExpression(source, s);
    throw new Error(`expected an error, got ${JSON.stringify(value)}`);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as Error;
  }
}

describe('Liquid templates', () => {
  it('renders a variable', async () => {
    await expect(renderTemplate('Classify: {{ input.message }}', scope)).resolves.toBe('Classify: My card was charged twice');
    await expect(renderTemplate('{{input.customer.name}} / {{ vars.team }}', scope)).resolves.toBe('Ada / Billing Ops');
    await expect(renderTemplate('{{ nodes.classify.output.category }}', scope)).resolves.toBe('billing');
  });

  it('text without a template is returned as is', async () => {
    await expect(renderTemplate('plain words', scope)).resolves.toBe('plain words');
  });

  it('applies filters', async () => {
    await expect(renderTemplate('{{ input.customer.name | upcase }}', scope)).resolves.toBe('ADA');
    await expect(renderTemplate('{{ input.tags | join: ", " }}', scope)).resolves.toBe('billing, urgent');
    await expect(renderTemplate('{{ input.tags | size }}', scope)).resolves.toBe('2');
    await expect(renderTemplate('{{ input.price | times: 2 }}', scope)).resolves.toBe('19');
    // An optional field may be absent: `default` covers it (plain output of a missing name still fails).
    await expect(renderTemplate('{{ input.missing | default: "none" }}', scope)).resolves.toBe('none');
    await expect(renderTemplate('{{ input.missing }}', scope)).rejects.toThrow(/input.missing is not set — it is optional/);
    await expect(renderTemplate('{{ input.empty | default: "none" }}', scope)).resolves.toBe('none');
    await expect(renderTemplate('{{ input.message | truncate: 10 }}', scope)).resolves.toBe('My card...');
  });

  it('supports {% if %} / {% else %} and {% for %}', async () => {
    const t = '{% if input.customer.vip %}VIP{% else %}regular{% endif %}';
    await expect(renderTemplate(t, scope)).resolves.toBe('VIP');
    await expect(renderTemplate(t, { ...scope, input: { ...scope.input, customer: { vip: false } } })).resolves.toBe('regular');
    await expect(renderTemplate('{% if input.n > 2 and vars.limit < 3 %}yes{% endif %}', scope)).resolves.toBe('yes');
    await expect(renderTemplate('{% for t in input.tags %}[{{ t }}]{% endfor %}', scope)).resolves.toBe('[billing][urgent]');
  });

  it('renders objects and lists as JSON', async () => {
    await expect(renderTemplate('Result: {{ nodes.classify.output }}', scope)).resolves.toBe(
      'Result: {"category":"billing","confidence":0.92}',
    );
    await expect(renderTemplate('{{ input.tags }}', scope)).resolves.toBe('["billing","urgent"]');
    const whole = await renderTemplate('{{ input }}', scope);
    expect(JSON.parse(whole)).toEqual(scope.input);
  });

  it('blocks prototype access: no function source leaks', async () => {
    for (const source of [
      '{{ input.constructor }}',
      '{{ input.constructor.name }}',
      '{{ input.__proto__ }}',
      '{{ input.message.constructor }}',
      '{{ input.tags.constructor }}',
      '{{ input.customer.hasOwnProperty }}',
      '{{ input.toString }}',
      '{{ input.message.constructor.constructor }}',
      '{{ nodes.constructor.constructor }}',
    ]) {
      let out = '';
      try {
        out = await renderTemplate(source, scope);
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateError);
        out = (error as Error).message;
      }
      expect(out, source).not.toMatch(LEAK);
    }
  });

  it('blocks prototype access in renderValue too', async () => {
    for (const source of ['{{ input.constructor }}', '{{ input.__proto__ }}', '{{ input.message.constructor }}']) {
      let out: unknown;
      try {
        out = await renderValue(source, scope);
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateError);
        out = undefined;
      }
      expect(typeof out, source).not.toBe('function');
      if (out !== undefined) expect(JSON.stringify(out), source).not.toMatch(LEAK);
    }
  });

  it('an undefined variable is an error that names it', async () => {
    const e = await renderError('Hello {{ input.custmer.name }}');
    expect(e.message).toContain('input.custmer');
    const root = await renderError('{{ nope }}');
    expect(root.message).toContain('nope');
    const node = await renderError('{{ nodes.later.output }}');
    expect(node.message).toContain('nodes.later');
  });

  it('a syntax error is a TemplateError', async () => {
    await renderError('{% if input.n %}unclosed');
    await renderError('{{ input.message ');
  });

  it('renderValue keeps types for a single {{ }} and renders other strings', async () => {
    const value = {
      n: '{{ input.n }}',
      price: '{{input.price}}',
      vip: '{{ input.customer.vip }}',
      customer: '{{ input.customer }}',
      tags: ' {{ input.tags }} ',
      sentence: 'n is {{ input.n }}',
      two: '{{ input.n }}{{ input.n }}',
      list: ['{{ nodes.classify.output.confidence }}', 'x', 1, null, true],
      untouched: 42,
    };
    await expect(renderValue(value, scope)).resolves.toEqual({
      n: 3,
      price: 9.5,
      vip: true,
      customer: scope.input.customer,
      tags: ['billing', 'urgent'],
      sentence: 'n is 3',
      two: '33',
      list: [0.92, 'x', 1, null, true],
      untouched: 42,
    });
  });

  it('renderValue with a filter renders text', async () => {
    await expect(renderValue('{{ input.tags | size }}', scope)).resolves.toBe('2');
  });

  it('renderValue names an undefined variable', async () => {
    await expect(renderValue({ a: { b: '{{ input.nope }}' } }, scope)).rejects.toThrow(/input\.nope/);
  });

  it('renderValue refuses values nested deeper than its limit', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    await expect(renderValue(deep, scope)).rejects.toThrow(TemplateError);
  });
});

describe('CEL expressions', () => {
  it('compares', () => {
    expect(evaluateExpression("nodes.classify.output.category == 'billing'", scope)).toBe(true);
    expect(evaluateExpression("nodes.classify.output.category != 'billing'", scope)).toBe(false);
    expect(evaluateExpression('input.n > 2', scope)).toBe(true);
    expect(evaluateExpression('input.n >= 3.0 && input.price < 10', scope)).toBe(true);
    expect(evaluateExpression('nodes.classify.output.confidence > 0.9 || false', scope)).toBe(true);
    expect(evaluateExpression('input.n == 3', scope)).toBe(true);
    expect(evaluateExpression('!input.customer.vip', scope)).toBe(false);
    expect(evaluateExpression("input.customer.vip ? 'vip' : 'regular'", scope)).toBe('vip');
  });

  it('supports `in`', () => {
    expect(evaluateExpression("'urgent' in input.tags", scope)).toBe(true);
    expect(evaluateExpression("'spam' in input.tags", scope)).toBe(false);
    expect(evaluateExpression("'vip' in input.customer", scope)).toBe(true);
  });

  it('supports size()', () => {
    expect(evaluateExpression('size(input.tags)', scope)).toBe(2);
    expect(evaluateExpression('size(input.message) > 10', scope)).toBe(true);
    expect(evaluateExpression('input.tags.size()', scope)).toBe(2);
    expect(evaluateExpression('size(input.customer)', scope)).toBe(3);
  });

  it('supports has()', () => {
    expect(evaluateExpression('has(input.customer.email)', scope)).toBe(true);
    expect(evaluateExpression('has(input.customer.phone)', scope)).toBe(false);
    expect(evaluateExpression("has(input.customer.phone) ? input.customer.phone : 'none'", scope)).toBe('none');
  });

  it('supports string functions', () => {
    expect(evaluateExpression("input.message.contains('charged')", scope)).toBe(true);
    expect(evaluateExpression("input.message.startsWith('My')", scope)).toBe(true);
    expect(evaluateExpression("input.customer.email.endsWith('@example.com')", scope)).toBe(true);
    expect(evaluateExpression("input.message.matches('twice$')", scope)).toBe(true);
    expect(evaluateExpression("input.customer.name + ' (' + vars.team + ')'", scope)).toBe('Ada (Billing Ops)');
  });

  it('supports macros over lists', () => {
    expect(evaluateExpression("input.tags.exists(t, t == 'urgent')", scope)).toBe(true);
    expect(evaluateExpression("input.tags.all(t, size(t) > 3)", scope)).toBe(true);
    expect(evaluateExpression("input.tags.filter(t, t.startsWith('b'))", scope)).toEqual(['billing']);
  });

  it('normalises BigInt results to numbers, deep inside values too', () => {
    const sum = evaluateExpression('1 + 2', scope);
    expect(sum).toBe(3);
    expect(typeof sum).toBe('number');
    expect(evaluateExpression('int(input.n) * 2', scope)).toBe(6);
    expect(evaluateExpression('[1, 2, size(input.tags)]', scope)).toEqual([1, 2, 2]);
    expect(evaluateExpression('{"count": size(input.tags), "nested": {"x": 7}}', scope)).toEqual({ count: 2, nested: { x: 7 } });
    const values = evaluateExpression('[size(input.tags)]', scope) as unknown[];
    expect(typeof values[0]).toBe('number');
  });

  it('returns JSON values as they are', () => {
    expect(evaluateExpression('nodes.classify.output', scope)).toEqual({ category: 'billing', confidence: 0.92 });
    expect(evaluateExpression('input.tags', scope)).toEqual(['billing', 'urgent']);
  });

  it('reports a syntax error with a message and no exception', () => {
    expect(expressionSyntaxError("input.n > 1 && nodes.classify.output.category == 'billing'")).toBeUndefined();
    const incomplete = expressionSyntaxError('input.n >');
    expect(typeof incomplete).toBe('string');
    expect(incomplete!.length).toBeGreaterThan(5);
    expect(incomplete).not.toContain('\n');
    expect(expressionSyntaxError("input.message == 'unterminated")).toMatch(/string|unterminated/i);
    expect(expressionSyntaxError('input.n >< 2')).toBeDefined();
    expect(() => evaluateExpression('input.n >', scope)).toThrow(ExpressionError);
  });

  it('a missing key is an error naming it', () => {
    expect(celError('input.customer.phone == "1"').message).toContain('phone');
  });

  it('refuses very long expressions', () => {
    const long = Array.from({ length: 1_000 }, () => 'true').join(' && ');
    expect(expressionSyntaxError(long)).toMatch(/longer than/);
  });

  it('no JavaScript is reachable', () => {
    for (const source of [
      'input.constructor',
      'input.__proto__',
      'input.message.constructor',
      'input.tags.constructor',
      'input.customer.toString',
      'input.customer.hasOwnProperty',
    ]) {
      const error = celError(source);
      expect(error.message, source).not.toMatch(LEAK);
    }
    for (const source of [
      "input.constructor.constructor('return process')()",
      'input.toString()',
      "input.message.constructor('x')",
      'eval("1")',
      'process.exit(1)',
      'globalThis',
      'this',
    ]) {
      let value: unknown;
      try {
        value = evaluateExpression(source, scope);
      } catch {
        continue; // refused: good
      }
      expect(typeof value, source).not.toBe('function');
      expect(JSON.stringify(value) ?? '', source).not.toMatch(LEAK);
    }
    // A value that is a function in the scope is not callable from an expression either.
    const sneaky = { input: { f: () => 'called' }, nodes: {}, vars: {} };
    let called: unknown;
    try {
      called = evaluateExpression('input.f()', sneaky);
    } catch {
      called = undefined;
    }
    expect(called).not.toBe('called');
  });
});

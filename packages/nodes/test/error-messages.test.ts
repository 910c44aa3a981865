/**
 * Expression and template errors name the field and say what to do: a missing optional field
 * says so and how to test for it, a type clash says which side is which type. The editor reads
 * the same words (templateSyntaxError, expressionSyntaxError) the runner records.
 */
import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExpressionError } from '../src/lib/expression.js';
import { checkTemplate, renderTemplate, renderValue, templateSyntaxError, TemplateError } from '../src/lib/template.js';
import { executors } from '../src/server.js';

const scope = {
  input: { n: 2, name: 'Ada', nothing: null, tags: ['a', 'b'], count: '3' },
  nodes: { classify: { output: { category: 'billing' } } },
  vars: { team: 'Ops' },
};

function celError(source: string): string {
  try {
    evaluateExpression(source, scope);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return (error as Error).message;
  }
  throw new Error(`expected ${source} to fail`);
}

async function liquidError(source: string): Promise<string> {
  try {
    await renderTemplate(source, scope);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as Error).message;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('expression errors', () => {
  it('a missing optional input field says it is optional and how to test for it', () => {
    expect(celError('input.age > 18')).toBe(
      'input.age is not set — it is optional; test it with has(input.age) or give it a default in the input schema',
    );
    expect(celError('input.address.city == "Oslo"')).toMatch(/^input\.address is not set — it is optional; test it with has\(input\.address\)/);
    expect(celError('input["age"] > 1')).toMatch(/^input\["age"\] is not set — it is optional; test it with "age" in input/);
  });

  it('a missing step output or field says which, and how to test for it', () => {
    expect(celError('nodes.later.output.x == 1')).toMatch(/^nodes\.later has no output here: that step did not run before this one.*has\(nodes\.later\)/);
    expect(celError('nodes.classify.output.score > 1')).toBe('nodes.classify.output.score is not set; test it with has(nodes.classify.output.score)');
    expect(celError('vars.region == "eu"')).toBe('vars.region is not set: the flow has no var "region"');
  });

  it('a type clash says which side is which type, in plain words', () => {
    expect(celError('input.name + 1')).toBe('cannot add text and a number: input.name is text, 1 is a number');
    expect(celError('input.n - input.name')).toBe('cannot subtract a number and text: input.n is a number, input.name is text');
    expect(celError('input.tags * 2')).toBe('cannot multiply a list and a number: input.tags is a list, 2 is a number');
    expect(celError('input.name > 3')).toBe('cannot compare text and a number: input.name is text, 3 is a number');
    expect(celError('input.nothing + 1')).toBe('cannot add null and a number: input.nothing is null, 1 is a number; test it first, e.g. input.nothing != null');
    expect(celError('size(input.n) > 1')).toBe('size() does not take a number: input.n is a number');
    expect(celError('input.name && true')).toBe('&& and || need true or false on both sides: input.name is text');
    expect(celError('input.tags[5] == "x"')).toBe('input.tags[5] is past the end of the list (input.tags has 2 items); test it with size(input.tags) > 5');
    expect(celError('nope == 1')).toBe('unknown name "nope" (use input, nodes.<id>.output or vars)');
    expect(celError('frobnicate(1)')).toBe('there is no function frobnicate()');
  });

  it('a condition step fails naming its branch and the field', async () => {
    const condition = executors.get('condition')!;
    const run = condition.execute({ config: { branches: [{ id: 'adult', when: 'input.age >= 18' }] }, scope } as never);
    await expect(run).rejects.toThrow('branch "adult" (input.age >= 18): input.age is not set — it is optional; test it with has(input.age)');
  });
});

describe('template errors', () => {
  it('a missing optional input field says it is optional and how to test for it', async () => {
    expect(await liquidError('Hello {{ input.nickname }}')).toBe(
      'template: input.nickname is not set — it is optional; use {{ input.nickname | default: "…" }}, test it with {% if input.nickname %}, or give it a default in the input schema, line:1, col:10',
    );
    await expect(renderValue({ to: '{{ input.email }}' }, scope)).rejects.toThrow(/input\.email is not set — it is optional/);
    expect(await liquidError('{{ nodes.later.output }}')).toMatch(/^template: nodes\.later has no output here/);
  });

  it('a math filter on text says which side is which type instead of printing 0 or 1', async () => {
    expect(await liquidError('{{ input.name | plus: 1 }}')).toBe('template: plus: cannot add text and a number: input.name is text, 1 is a number, line:1, col:1');
    expect(await liquidError('Total {{ input.n | times: input.name }}')).toMatch(/^template: times: cannot multiply a number and text: input\.n is a number, input\.name is text/);
    expect(await liquidError('{{ input.nothing | minus: 1 }}')).toMatch(/input\.nothing is null, 1 is a number; test it first, e\.g\. \{% if input\.nothing %\}/);
    expect(await liquidError('{{ input.n | divided_by: 0 }}')).toMatch(/cannot divide by zero/);
    // Numbers, and text that reads as a number, still add up.
    await expect(renderTemplate('{{ input.n | plus: 1 }} {{ input.count | plus: 1 }} {{ input.n | modulo: 2 }}', scope)).resolves.toBe('3 4 0');
  });

  it('a template that does not parse reads the same in the editor check, the flow check and the run', async () => {
    const source = 'Hi {{ input.name | upcsae }}';
    const words = templateSyntaxError(source);
    expect(words).toBe('template does not parse: unknown filter "upcsae" (did you mean "upcase"?), line:1, col:4');
    expect(checkTemplate(source, { nodeId: 'p', upstream: new Set(), vars: new Set(), extraRoots: new Set() }, ['prompt'])[0]?.message).toBe(words);
    expect(await liquidError(source)).toBe(words);
    expect(templateSyntaxError('{{ input.name }}')).toBeUndefined();
  });
});

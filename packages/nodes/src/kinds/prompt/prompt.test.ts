/** The prompt kind's executor, run with a hand-built ExecContext (test/support/kind-context.ts). */
import { describe, expect, it } from 'vitest';
import { validateJson } from '../../lib/json-schema-validate.js';
import type { Scope } from '../../runtime.js';
import { ctx, done, failure } from '../../../test/support/kind-context.js';
import { PromptConfig } from './spec.js';
import { promptExecutor } from './execute.js';

describe('prompt', () => {
  const schema = {
    type: 'object',
    properties: { category: { type: 'string', enum: ['billing', 'tech', 'other'] }, confidence: { type: 'number', minimum: 0 } },
    required: ['category', 'confidence'],
    additionalProperties: false,
  };
  const scope: Partial<Scope> = { input: { message: 'My card was charged twice' } };

  it('with a mock text: outputs the text and streams deltas that add up to it', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Reply to: {{ input.message }}' } });
    const c = ctx(config, scope, { node: { id: 'reply' }, replies: [{ text: 'Sorry about that, we will refund the extra charge.' }] });
    const r = done(await promptExecutor.execute(c));
    expect(r.output).toBe('Sorry about that, we will refund the extra charge.');
    const deltas = c.events.filter((e) => e.type === 'node.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((e) => (e.data as { text: string }).text).join('')).toBe(r.output);
    expect(c.cursor.value).toBe(1);
  });

  it('with no mock and no schema: a deterministic echo of the rendered prompt', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Reply to: {{ input.message }}' } });
    const a = done(await promptExecutor.execute(ctx(config, scope)));
    const b = done(await promptExecutor.execute(ctx(config, scope)));
    expect(a.output).toEqual(b.output);
    expect(String(a.output)).toContain('My card was charged twice');
  });

  it('with a mock object and an output schema: outputs the object', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify: {{ input.message }}' }, output: { schema } });
    const c = ctx(config, scope, { replies: [{ object: { category: 'billing', confidence: 0.9 } }] });
    const r = done(await promptExecutor.execute(c));
    expect(r.output).toEqual({ category: 'billing', confidence: 0.9 });
  });

  it('with an object that violates the schema: invalid_model_output', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify' }, output: { schema } });
    const e = await failure(promptExecutor.execute(ctx(config, scope, { replies: [{ object: { category: 'weather', confidence: 0.5 } }] })));
    expect(e.code).toBe('invalid_model_output');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('category');
  });

  it('with text that is not JSON for a schema: invalid_model_output', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify' }, output: { schema } });
    const e = await failure(promptExecutor.execute(ctx(config, scope, { replies: [{ text: 'billing, I think' }] })));
    expect(e.code).toBe('invalid_model_output');
  });

  it('with no mock and a schema: a deterministic object valid for the schema', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify: {{ input.message }}' }, output: { schema } });
    const a = done(await promptExecutor.execute(ctx(config, scope)));
    const b = done(await promptExecutor.execute(ctx(config, scope)));
    expect(a.output).toEqual(b.output);
    expect(typeof a.output).toBe('object');
    expect(validateJson(a.output, schema)).toEqual([]);
  });

  it('a scripted model error fails the node', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Hi' } });
    const e = await failure(promptExecutor.execute(ctx(config, scope, { replies: [{ error: { status: 503, message: 'overloaded' } }] })));
    expect(e.message).toContain('overloaded');
    expect(e.retryable).toBe(true);
  });

  it('with library prompts: renders the pinned templates the engine hands it, for the prompt and the system text', async () => {
    const library: Record<string, string> = { 'triage@2': 'Triage v2: {{ input.message }}', 'tone@latest': 'Be brief about {{ input.message }}.' };
    const seen: string[] = [];
    const config = PromptConfig.parse({ model: 'test:m', system: { ref: 'tone@latest' }, prompt: { ref: 'triage@2' } });
    const c = ctx(config, scope, {
      promptTemplate: async (ref) => {
        seen.push(ref);
        return library[ref]!;
      },
    });
    const r = done(await promptExecutor.execute(c));
    expect(String(r.output)).toBe('Test reply to: Triage v2: My card was charged twice');
    expect(seen.sort()).toEqual(['tone@latest', 'triage@2']);
  });

  it('a library prompt that cannot be had fails the node before any model call', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { ref: 'triage@9' } });
    const c = ctx(config, scope, { replies: [{ text: 'x' }] });
    const e = await failure(promptExecutor.execute(c));
    expect(e.message).toContain('triage@9');
    expect(c.cursor.value).toBe(0);
  });

  it('an unknown template variable fails before any model call, naming it', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Hi {{ input.nmae }}' } });
    const c = ctx(config, scope, { replies: [{ text: 'x' }] });
    await expect(promptExecutor.execute(c)).rejects.toThrow(/input\.nmae/);
    expect(c.cursor.value).toBe(0);
  });
});

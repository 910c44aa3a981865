/** The input kind's executor, run with a hand-built ExecContext (test/support/kind-context.ts). */
import { describe, expect, it } from 'vitest';
import { ctx, done, failure } from '../../../test/support/kind-context.js';
import { InputConfig } from './spec.js';
import { inputExecutor } from './execute.js';

describe('input', () => {
  const config = InputConfig.parse({
    schema: {
      type: 'object',
      properties: { message: { type: 'string', minLength: 1 }, count: { type: 'integer' } },
      required: ['message'],
    },
  });

  it('passes a matching input through as its output', async () => {
    const r = done(await inputExecutor.execute(ctx(config, { input: { message: 'hi', count: 2 } })));
    expect(r.output).toEqual({ message: 'hi', count: 2 });
  });

  it('refuses a missing field with invalid_input, naming the field', async () => {
    const e = await failure(inputExecutor.execute(ctx(config, { input: { count: 2 } })));
    expect(e.code).toBe('invalid_input');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('message');
  });

  it('refuses a field of the wrong type, naming the field', async () => {
    const e = await failure(inputExecutor.execute(ctx(config, { input: { message: 'hi', count: 'two' } })));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('count');
  });

  it('the default schema accepts any object', async () => {
    const r = done(await inputExecutor.execute(ctx(InputConfig.parse({}), { input: { anything: [1] } })));
    expect(r.output).toEqual({ anything: [1] });
  });
});

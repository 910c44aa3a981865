/** The output kind's executor, run with a hand-built ExecContext (test/support/kind-context.ts). */
import { describe, expect, it } from 'vitest';
import type { Scope } from '../../runtime.js';
import { ctx, done } from '../../../test/support/kind-context.js';
import { OutputConfig } from './spec.js';
import { outputExecutor } from './execute.js';

describe('output', () => {
  const scope: Partial<Scope> = {
    input: { message: 'hello', n: 42, flags: { vip: true } },
    nodes: { draft: { output: { text: 'Dear customer', score: 0.9 } } },
    vars: { team: 'billing' },
  };

  it('renders nested templates, keeping types for single-expression leaves', async () => {
    const config = OutputConfig.parse({
      value: {
        reply: 'Re: {{ input.message }} ({{ vars.team }})',
        n: '{{ input.n }}',
        draft: '{{ nodes.draft.output }}',
        nested: { list: ['{{ input.flags }}', '{{input.flags.vip}}', 'n={{ input.n }}', 7, null, false] },
      },
    });
    const r = done(await outputExecutor.execute(ctx(config, scope)));
    expect(r.output).toEqual({
      reply: 'Re: hello (billing)',
      n: 42,
      draft: { text: 'Dear customer', score: 0.9 },
      nested: { list: [{ vip: true }, true, 'n=42', 7, null, false] },
    });
  });

  it('defaults to the run input', async () => {
    const r = done(await outputExecutor.execute(ctx(OutputConfig.parse({}), scope)));
    expect(r.output).toEqual(scope.input);
  });

  it('fails on an unknown variable, naming it', async () => {
    const config = OutputConfig.parse({ value: { a: 'fine', b: 'Hi {{ nodes.missing.output }}' } });
    await expect(outputExecutor.execute(ctx(config, scope))).rejects.toThrow(/nodes\.missing/);
    const single = OutputConfig.parse({ value: '{{ input.nope }}' });
    await expect(outputExecutor.execute(ctx(single, scope))).rejects.toThrow(/input\.nope/);
  });

  it('holds the result to its schema, when it declares one', async () => {
    const promised = OutputConfig.parse({ value: { score: '{{ nodes.draft.output.text }}' }, schema: { type: 'object', properties: { score: { type: 'number' } } } });
    await expect(outputExecutor.execute(ctx(promised, scope))).rejects.toThrow(/output schema: score: .*number/);
    const kept = OutputConfig.parse({ value: { score: '{{ nodes.draft.output.score }}' }, schema: { type: 'object', properties: { score: { type: 'number' } } } });
    expect(done(await outputExecutor.execute(ctx(kept, scope))).output).toEqual({ score: 0.9 });
  });
});

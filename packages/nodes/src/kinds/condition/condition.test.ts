/** The condition kind's executor, run with a hand-built ExecContext (test/support/kind-context.ts). */
import { describe, expect, it } from 'vitest';
import type { Scope } from '../../runtime.js';
import { ctx, done, failure } from '../../../test/support/kind-context.js';
import { ConditionConfig } from './spec.js';
import { conditionExecutor } from './execute.js';

describe('condition', () => {
  const config = ConditionConfig.parse({
    branches: [
      { id: 'billing', when: "nodes.classify.output.category == 'billing'" },
      { id: 'urgent', when: 'input.priority > 3' },
      { id: 'also_urgent', when: 'input.priority > 1' },
    ],
  });
  const scopeFor = (category: string, priority: number): Partial<Scope> => ({
    input: { priority },
    nodes: { classify: { output: { category } } },
  });

  it('takes the first true branch in order and records the decision', async () => {
    const r = done(await conditionExecutor.execute(ctx(config, scopeFor('tech', 5))));
    expect(r.ports).toEqual(['urgent']);
    expect(r.output).toEqual({ branch: 'urgent' });
    expect(r.decision).toEqual({
      branch: 'urgent',
      evaluated: [
        { branch: 'billing', when: "nodes.classify.output.category == 'billing'", value: false },
        { branch: 'urgent', when: 'input.priority > 3', value: true },
      ],
    });
  });

  it('stops at the first true branch even when later ones are true too', async () => {
    const r = done(await conditionExecutor.execute(ctx(config, scopeFor('billing', 5))));
    expect(r.ports).toEqual(['billing']);
    expect((r.decision as { evaluated: unknown[] }).evaluated).toHaveLength(1);
  });

  it('falls to else when no branch is true, with every expression evaluated', async () => {
    const r = done(await conditionExecutor.execute(ctx(config, scopeFor('tech', 0))));
    expect(r.ports).toEqual(['else']);
    expect(r.output).toEqual({ branch: 'else' });
    const decision = r.decision as { branch: string; evaluated: { branch: string; value: unknown }[] };
    expect(decision.branch).toBe('else');
    expect(decision.evaluated.map((e) => [e.branch, e.value])).toEqual([
      ['billing', false],
      ['urgent', false],
      ['also_urgent', false],
    ]);
  });

  it('fails clearly on a non-boolean result', async () => {
    const c = ConditionConfig.parse({ branches: [{ id: 'count', when: 'size(input.items)' }] });
    const e = await failure(conditionExecutor.execute(ctx(c, { input: { items: [1, 2] } })));
    expect(e.code).toBe('expression_failed');
    expect(e.message).toContain('"count"');
    expect(e.message).toContain('size(input.items)');
    expect(e.message).toContain('2');
    expect(e.message).toMatch(/not true or false/);
  });

  it('fails clearly on a missing key, naming the branch and the key', async () => {
    const c = ConditionConfig.parse({ branches: [{ id: 'vip', when: 'input.customer.vip == true' }] });
    const e = await failure(conditionExecutor.execute(ctx(c, { input: { name: 'x' } })));
    expect(e.code).toBe('expression_failed');
    expect(e.message).toContain('"vip"');
    expect(e.message).toContain('customer');
  });
});

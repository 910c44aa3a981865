/** The approval kind's executor, run with a hand-built ExecContext (test/support/kind-context.ts). */
import { describe, expect, it } from 'vitest';
import type { Decision, Scope } from '../../runtime.js';
import { checkpoint, ctx, done, waiting } from '../../../test/support/kind-context.js';
import { ApprovalConfig } from './spec.js';
import { approvalExecutor } from './execute.js';

describe('approval', () => {
  const config = ApprovalConfig.parse({
    message: 'Send this reply to {{ input.customer }}? {{ nodes.draft.output }}',
    payload: { reply: '{{ nodes.draft.output }}', count: '{{ input.count }}' },
  });
  const scope: Partial<Scope> = { input: { customer: 'Ada', count: 3 }, nodes: { draft: { output: 'Hello Ada' } } };

  async function ask(c = config) {
    const context = ctx(c, scope, { node: { id: 'ok' } });
    return waiting(await approvalExecutor.execute(context));
  }

  async function answer(decision: Decision, c = config) {
    const first = await ask(c);
    return done(
      await approvalExecutor.execute(ctx(c, scope, { node: { id: 'ok' }, state: checkpoint(first.state), resume: { waitId: first.wait.id, decision } })),
    );
  }

  it('first asks: a wait with the rendered message and payload', async () => {
    const r = await ask();
    expect(r.wait.kind).toBe('approval');
    expect(r.wait.id).toBe('ok');
    expect(r.wait.message).toBe('Send this reply to Ada? Hello Ada');
    expect(r.wait.payload).toEqual({ reply: 'Hello Ada', count: 3 });
    expect(r.wait.timeoutMs).toBeUndefined();
  });

  it('approved, with an edited payload: port approved and the edit as output', async () => {
    const r = await answer({ approved: true, by: 'lin', comment: 'tweaked', payload: { reply: 'Hello Ada!', count: 3 } });
    expect(r.ports).toEqual(['approved']);
    expect(r.output).toEqual({ approved: true, payload: { reply: 'Hello Ada!', count: 3 }, comment: 'tweaked', by: 'lin' });
    expect(r.decision).toMatchObject({ approved: true, edited: true, by: 'lin' });
  });

  it('approved as is keeps the rendered payload, not edited', async () => {
    const r = await answer({ approved: true });
    expect(r.ports).toEqual(['approved']);
    expect(r.output).toEqual({ approved: true, payload: { reply: 'Hello Ada', count: 3 } });
    expect(r.decision).toMatchObject({ edited: false });
  });

  it('rejected: port rejected', async () => {
    const r = await answer({ approved: false, comment: 'too curt' });
    expect(r.ports).toEqual(['rejected']);
    expect(r.output).toMatchObject({ approved: false, comment: 'too curt' });
  });

  it('timed out with onTimeout "approve": approved', async () => {
    const c = ApprovalConfig.parse({ message: 'Go?', timeoutMs: 60_000, onTimeout: 'approve' });
    const first = await ask(c);
    expect(first.wait.timeoutMs).toBe(60_000);
    const r = await answer({ approved: false, timedOut: true }, c);
    expect(r.ports).toEqual(['approved']);
    expect(r.output).toMatchObject({ approved: true, timedOut: true });
  });

  it('timed out with the default onTimeout: rejected', async () => {
    const c = ApprovalConfig.parse({ message: 'Go?', timeoutMs: 60_000 });
    const r = await answer({ approved: false, timedOut: true }, c);
    expect(r.ports).toEqual(['rejected']);
    expect(r.output).toMatchObject({ approved: false, timedOut: true });
  });
});

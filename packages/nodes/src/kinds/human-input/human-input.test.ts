/**
 * The human-input kind on its own, with a hand-built ExecContext (test/support/kind-context.ts):
 * its config and ports, the question it asks (rendered from the scope, with its answer form), and
 * what it does with an answer or a timeout. The engine's side (the wait, the answer's check
 * against the form, restarts) is tested in apps/runner, and its fixture flow's samples run
 * through the engine in apps/runner/test/kind-fixtures.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { kinds, validateFlow } from '../../index.js';
import type { Decision } from '../../runtime.js';
import { ctx as kindCtx } from '../../../test/support/kind-context.js';
import { TrellisError } from '../../errors.js';
import { humanInputExecutor } from './execute.js';
import { DEFAULT_ANSWER_SCHEMA, HumanInputConfig, humanInputSpec } from './spec.js';
import { answerOf, questionWait } from '../../lib/question.js';
import fixture from './fixture.flow.json' with { type: 'json' };

/** The kind's context: the shared hand-built one (test/support/kind-context.ts), with the config parsed so defaults apply. */
function ctx(raw: Record<string, unknown>, resume?: Decision) {
  return kindCtx(HumanInputConfig.parse(raw), { input: { item: 'widgets' }, nodes: { draft: { output: 'Hello' } } }, { node: { id: 'ask' }, ...(resume ? { resume: { waitId: 'ask', decision: resume } } : {}) });
}

const quantity = { type: 'object', properties: { quantity: { type: 'number', title: 'How many?' } }, required: ['quantity'] };

describe('human-input: config and ports', () => {
  it('asks for one text field unless told otherwise', () => {
    const config = HumanInputConfig.parse({ question: 'Why?' });
    expect(config.schema).toEqual(DEFAULT_ANSWER_SCHEMA);
    expect(config.onTimeout).toBe('route');
    expect(humanInputSpec.configSchema.safeParse(humanInputSpec.defaults()).success).toBe(true);
  });

  it('has a timeout handle only when a timeout routes there', () => {
    const ids = (raw: Record<string, unknown>) => humanInputSpec.ports(HumanInputConfig.parse(raw)).outputs.map((p) => p.id);
    expect(ids({ question: 'q' })).toEqual(['answered']);
    expect(ids({ question: 'q', timeoutMs: 60_000 })).toEqual(['answered', 'timeout']);
    expect(ids({ question: 'q', timeoutMs: 60_000, onTimeout: 'fail' })).toEqual(['answered']);
  });

  it('refuses an empty question, a schema that is not an object, and a default-at-timeout with no default', () => {
    expect(HumanInputConfig.safeParse({ question: '' }).success).toBe(false);
    expect(HumanInputConfig.safeParse({ question: 'q', schema: 'text' }).success).toBe(false);
    const problems = humanInputSpec.check!(HumanInputConfig.parse({ question: 'q', timeoutMs: 5_000, onTimeout: 'default' }), {
      nodeId: 'ask',
      upstream: { has: () => true },
      vars: new Set(),
      extraRoots: new Set(),
    });
    expect(problems).toEqual([expect.objectContaining({ path: ['defaultAnswer'], message: expect.stringMatching(/default answer/) })]);
  });

  it('is a registered kind, and its fixture flow is valid', () => {
    expect(kinds.get('human-input')).toBe(humanInputSpec);
    const result = validateFlow(fixture);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('names a question template that reads a node the flow does not run first', () => {
    const result = validateFlow({
      ...fixture,
      nodes: fixture.nodes.map((n) => (n.id === 'ask' ? { ...n, config: { ...n.config, question: 'How many {{ nodes.ghost.output }}?' } } : n)),
    });
    expect(result.problems.some((p) => p.nodeId === 'ask' && /ghost/.test(p.message))).toBe(true);
  });
});

describe('human-input: asking and answering', () => {
  it('waits with the question rendered from the scope and the answer form', async () => {
    const result = await humanInputExecutor.execute(ctx({ question: 'How many {{ input.item }} after "{{ nodes.draft.output }}"?', schema: quantity, timeoutMs: 60_000 }));
    expect(result).toEqual({
      status: 'wait',
      wait: { id: 'ask', kind: 'question', message: 'How many widgets after "Hello"?', schema: quantity, timeoutMs: 60_000 },
    });
  });

  it("offers the default answer as the form's own default", async () => {
    const result = await humanInputExecutor.execute(ctx({ question: 'q', schema: quantity, defaultAnswer: { quantity: 1 } }));
    expect(result).toMatchObject({ status: 'wait', wait: { schema: { ...quantity, default: { quantity: 1 } } } });
  });

  it('outputs the answer as it is, on the answered handle, with who answered in the decision', async () => {
    const result = await humanInputExecutor.execute(ctx({ question: 'q', schema: quantity }, { approved: true, answer: { quantity: 3 }, by: 'ana' }));
    expect(result).toEqual({ status: 'done', output: { quantity: 3 }, ports: ['answered'], decision: { answer: { quantity: 3 }, by: 'ana' } });
  });

  it('routes a timeout to the timeout handle, with the default answer (or null) as output', async () => {
    const timedOut = { approved: false, timedOut: true };
    expect(await humanInputExecutor.execute(ctx({ question: 'q', timeoutMs: 5_000 }, timedOut))).toMatchObject({ status: 'done', output: null, ports: ['timeout'] });
    expect(await humanInputExecutor.execute(ctx({ question: 'q', timeoutMs: 5_000, defaultAnswer: { answer: 'no' } }, timedOut))).toMatchObject({ output: { answer: 'no' }, ports: ['timeout'] });
  });

  it('takes the default answer at a timeout when told to, checked against the form', async () => {
    const timedOut = { approved: false, timedOut: true };
    const taken = await humanInputExecutor.execute(ctx({ question: 'q', schema: quantity, timeoutMs: 5_000, onTimeout: 'default', defaultAnswer: { quantity: 1 } }, timedOut));
    expect(taken).toMatchObject({ output: { quantity: 1 }, ports: ['answered'], decision: { timedOut: true } });
    await expect(humanInputExecutor.execute(ctx({ question: 'q', schema: quantity, timeoutMs: 5_000, onTimeout: 'default', defaultAnswer: { quantity: 'one' } }, timedOut))).rejects.toThrow(
      /default answer does not match the answer form: defaultAnswer\.quantity/,
    );
  });

  it('fails at a timeout when told to, saying which question went unanswered', async () => {
    const failed = humanInputExecutor.execute(ctx({ question: 'q', timeoutMs: 5_000, onTimeout: 'fail' }, { approved: false, timedOut: true }));
    await expect(failed).rejects.toThrow(TrellisError);
    await expect(failed).rejects.toThrow(/no answer to the question of "ask" came within 5000 ms/);
  });
});

describe('the question any node can ask (an agent from inside its loop too)', () => {
  it('is a wait of kind question with its form, one text field unless given, and the default answer as the form\'s default', () => {
    expect(questionWait({ id: 'agent:call-1', message: 'Which account?' })).toEqual({ id: 'agent:call-1', kind: 'question', message: 'Which account?', schema: DEFAULT_ANSWER_SCHEMA });
    expect(questionWait({ id: 'q', message: 'm', schema: quantity, defaultAnswer: { quantity: 2 }, timeoutMs: 5_000 })).toEqual({
      id: 'q',
      kind: 'question',
      message: 'm',
      schema: { ...quantity, default: { quantity: 2 } },
      timeoutMs: 5_000,
    });
  });

  it('reads the answer from the resume, or says nobody answered in time', () => {
    expect(answerOf({ approved: true, answer: { answer: 'ACME' }, by: 'ana' })).toEqual({ answered: true, answer: { answer: 'ACME' }, by: 'ana' });
    expect(answerOf({ approved: false, timedOut: true })).toEqual({ answered: false, timedOut: true });
  });
});

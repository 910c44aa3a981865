/**
 * An agent's input and output guardrails through the engine: the input tripwire failing the run
 * with no model call, a redacted task reaching a real provider (the loopback OpenAI-compatible
 * fake) cleaned, the output tripwire failing, retrying with the reason fed back, running out of
 * retries, and a model-judged output rule from the run's mock script; each check a
 * `node.guardrail` event with nothing found in the clear, and the CLI's trace printing it.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEvent, type EventOf } from '@trellis/schema';
import { createModelResolver } from '@trellis/nodes/server';
import { startFakeOpenAI, type FakeOpenAI } from '@trellis/test-support/fake-openai';
import { flow, input, output } from '@trellis/test-support/flows';
import { Engine, MemoryCheckpointStore } from '../src/index.js';
import { TracePrinter } from '../src/cli/trace.js';
import { harness } from './support/harness.js';

/** input → agent "helper" (these guardrails) → output { reply }. */
function guardedAgent(guardrails: unknown, model = 'test:m') {
  return flow(
    [
      input(),
      { id: 'helper', type: 'agent', config: { model, instructions: 'Help the customer.', prompt: '{{ input.message }}', guardrails } },
      output('out', { reply: '{{ nodes.helper.output }}' }),
    ],
    [
      ['in', 'helper'],
      ['helper', 'out'],
    ],
  );
}

const checks = (events: RunEvent[]) => events.filter((e): e is EventOf<'node.guardrail'> => e.type === 'node.guardrail').map((e) => e.data);

function printed(events: RunEvent[]): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const printer = new TracePrinter(out as unknown as NodeJS.WriteStream);
  for (const event of events) printer.print(event);
  printer.finish();
  return text;
}

const noEmails = [{ type: 'pii', entities: ['email'], action: 'block' }];

describe('agent guardrails in a run', () => {
  it('an input tripwire fails the run before any model call, naming the rule', async () => {
    const { engine, events } = harness();
    const result = await engine.start(guardedAgent({ input: [{ type: 'terms', terms: ['chargeback'], label: 'no chargeback talk' }] }), {
      input: { message: 'I will file a chargeback' },
      mocks: { helper: [{ text: 'never said' }] },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'guardrail_tripped', nodeId: 'helper' });
    expect(result.error!.message).toContain('"no chargeback talk"');
    expect(result.usage.modelCalls).toBe(0);
    expect(checks(events)).toMatchObject([{ stage: 'input', attempt: 1, passed: false, then: 'fail', verdicts: [{ title: 'no chargeback talk', outcome: 'blocked' }] }]);
    expect(events.filter((e) => e.type === 'node.failed')).toHaveLength(1); // not retried
    for (const event of events) expect(RunEvent.safeParse(event).success, event.type).toBe(true);
    expect(printed(events)).toContain('input guardrail: Failed at "no chargeback talk". no chargeback talk: blocked 1 (••••••••••) → the step fails');
  });

  it('an output tripwire fails the run', async () => {
    const { engine, events } = harness();
    const result = await engine.start(guardedAgent({ output: noEmails }), { input: { message: 'who?' }, mocks: { helper: [{ text: 'ask bob@example.com' }] } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'guardrail_tripped' });
    expect(result.error!.message).toContain('its answer failed the output guardrail "personal data (email)"');
    expect(JSON.stringify(checks(events))).not.toContain('bob@example.com');
  });

  it('a retry feeds the reason back and takes the answer that passes; the trace shows each check', async () => {
    const { engine, events } = harness();
    const result = await engine.start(guardedAgent({ output: noEmails, onOutputFail: 'retry' }), {
      input: { message: 'who?' },
      mocks: { helper: [{ text: 'ask bob@example.com' }, { text: 'ask the front desk' }] },
    });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ reply: 'ask the front desk' });
    expect(result.usage.modelCalls).toBe(2);
    expect(checks(events).map((c) => [c.stage, c.attempt, c.passed, c.then])).toEqual([
      ['output', 1, false, 'retry'],
      ['output', 2, true, 'continue'],
    ]);
    const trace = printed(events);
    expect(trace).toContain('output guardrail (answer 1): Failed at "personal data (email)". personal data (email): blocked 1 (•••@•••••••.•••) → asked to answer again');
    expect(trace).toContain('output guardrail (answer 2): Passed.');
  });

  it('fails once the retries run out', async () => {
    const { engine, events } = harness();
    const result = await engine.start(guardedAgent({ output: noEmails, onOutputFail: 'retry', maxRetries: 2 }), {
      input: { message: 'who?' },
      mocks: { helper: [{ text: 'a@example.com' }, { text: 'b@example.com' }, { text: 'c@example.com' }, { text: 'never asked' }] },
    });
    expect(result.status).toBe('failed');
    expect(result.error!.message).toContain('after 2 retries');
    expect(result.usage.modelCalls).toBe(3);
    expect(checks(events).map((c) => c.then)).toEqual(['retry', 'retry', 'fail']);
  });

  it("judges a model-judged output rule from the run's mock script, metered as model calls", async () => {
    const { engine, events } = harness();
    const result = await engine.start(
      guardedAgent({ output: [{ type: 'model', check: 'off_topic', topic: 'tea', model: 'test:judge' }], onOutputFail: 'retry' }),
      {
        input: { message: 'best green tea?' },
        mocks: {
          helper: [
            { text: 'Buy crypto.' },
            { object: { score: 0.9, reason: 'Not about tea.' } },
            { text: 'Sencha, cold-brewed.' },
            { object: { score: 0.1, reason: 'About tea.' } },
          ],
        },
      },
    );
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ reply: 'Sencha, cold-brewed.' });
    expect(result.usage.modelCalls).toBe(4);
    expect(checks(events).map((c) => [c.then, c.verdicts[0]?.score, c.verdicts[0]?.reason])).toEqual([
      ['retry', 0.9, 'Not about tea.'],
      ['continue', 0.1, 'About tea.'],
    ]);
  });
});

describe('an input redaction through an OpenAI-compatible provider', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('sends the model the redacted task, never the raw data', async () => {
    const events: RunEvent[] = [];
    const engine = new Engine({
      store: new MemoryCheckpointStore(),
      models: createModelResolver({ providers: { local: { baseURL: fake.url } }, env: {}, fallbackToTest: false }),
      onEvent: (e) => events.push(e),
    });
    fake.enqueue({ text: 'We will write to you.' });
    const result = await engine.start(guardedAgent({ input: [{ type: 'pii', entities: ['email', 'card'], action: 'redact' }] }, 'local:gpt'), {
      input: { message: 'Card 4111 1111 1111 1111 was charged twice, mail ana@example.com' },
    });
    expect(result.status).toBe('succeeded');
    expect(fake.requests).toHaveLength(1);
    const sent = JSON.stringify((fake.requests[0]!.body as { messages: unknown }).messages);
    expect(sent).toContain('Card [CARD] was charged twice, mail [EMAIL]');
    expect(sent).not.toContain('ana@example.com');
    expect(sent).not.toContain('4111');
    expect(checks(events)).toMatchObject([{ stage: 'input', passed: true, redactions: 2, then: 'continue' }]);
    // The run's input holds the raw text; nothing the agent's step recorded does.
    expect(JSON.stringify(events.filter((e) => 'nodeId' in e && e.nodeId === 'helper'))).not.toContain('ana@example.com');
  });
});

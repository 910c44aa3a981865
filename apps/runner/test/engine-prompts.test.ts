/**
 * Library prompts in runs: references are resolved once when a run starts, pinned in the run
 * record and in `run.started`, and a resumed run keeps its pins however many versions were saved.
 */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import type { EventOf } from '@trellis/schema';
import { createModelResolver, type ModelResolver } from '@trellis/nodes/server';
import { MemoryCheckpointStore, MemoryPromptLibrary } from '../src/engine/memory-store.js';
import { UnresolvedPromptError } from '../src/engine/prompts.js';
import { harness } from './support/harness.js';
import { flow, input, output } from '@trellis/test-support/flows';

const topic = { topic: 'tea' };

const libraryPrompt = (id: string, ref: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'prompt',
  config: { model: 'test:model', prompt: { ref }, ...extra },
});
const approval = { id: 'ok', type: 'approval', config: { message: 'go on?' } };

/** Version 1 and 2 of "triage", each saying which version it is. */
function triageLibrary(): MemoryPromptLibrary {
  const library = new MemoryPromptLibrary();
  library.save('triage', 'v1 triage of {{ input.topic }}');
  library.save('triage', 'v2 triage of {{ input.topic }}');
  return library;
}

/** The test model's echo of a rendered prompt. */
const echo = (rendered: string) => `Test reply to: ${rendered}`;

/** Models that note the system text of every call, to see an agent's instructions. */
function recordingModels(systems: string[]): ModelResolver {
  const base = createModelResolver({ fallbackToTest: true, env: {} });
  const record = (options: LanguageModelV3CallOptions) => {
    const system = options.prompt.find((m) => m.role === 'system');
    systems.push(system ? String(system.content) : '');
  };
  return (request) => {
    const resolved = base(request);
    const inner = resolved.model;
    const model: LanguageModelV3 = Object.assign(Object.create(inner) as LanguageModelV3, {
      doGenerate: (options: LanguageModelV3CallOptions) => (record(options), inner.doGenerate(options)),
      doStream: (options: LanguageModelV3CallOptions) => (record(options), inner.doStream(options)),
    });
    return { ...resolved, model };
  };
}

describe('engine: library prompts', () => {
  it('runs @latest at the newest version when the run starts, and records the pin in the record and in run.started', async () => {
    const library = triageLibrary();
    const { engine, store, of } = harness({ prompts: library });
    const f = flow([input(), libraryPrompt('classify', 'triage@latest'), output('out', '{{ nodes.classify.output }}')], [['in', 'classify'], ['classify', 'out']]);
    const result = await engine.start(f, { input: topic });
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe(echo('v2 triage of tea'));
    const pin = { ref: 'triage@latest', name: 'triage', version: 2, nodeId: 'classify', field: 'prompt.ref' };
    const started = of('run.started')[0] as EventOf<'run.started'>;
    expect(started.data.prompts).toEqual([pin]);
    expect((await store.load(result.runId))?.run.prompts).toEqual([pin]);
  });

  it('uses a pinned version even though newer versions exist', async () => {
    const library = triageLibrary();
    library.save('triage', 'v3 triage of {{ input.topic }}');
    const { engine, of } = harness({ prompts: library });
    const f = flow([input(), libraryPrompt('classify', 'triage@1'), output('out', '{{ nodes.classify.output }}')], [['in', 'classify'], ['classify', 'out']]);
    const result = await engine.start(f, { input: topic });
    expect(result.output).toBe(echo('v1 triage of tea'));
    expect((of('run.started')[0] as EventOf<'run.started'>).data.prompts).toMatchObject([{ ref: 'triage@1', version: 1 }]);
  });

  it('keeps the pinned version for a run resumed after an approval and a restart, while a fresh run takes the new one', async () => {
    const library = triageLibrary();
    const store = new MemoryCheckpointStore();
    const f = flow(
      [input(), libraryPrompt('draft', 'triage@latest'), approval, libraryPrompt('final', 'triage@latest'), output('out', ['{{ nodes.draft.output }}', '{{ nodes.final.output }}'])],
      [['in', 'draft'], ['draft', 'ok'], ['ok', 'final', 'approved'], ['final', 'out']],
    );
    const before = harness({ store, prompts: library });
    const waiting = await before.engine.start(f, { input: topic });
    expect(waiting.status).toBe('waiting');

    expect(library.save('triage', 'v3 triage of {{ input.topic }}')).toBe(3); // saved while the run waits
    const after = harness({ store, prompts: library }); // a new process
    const done = await after.engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: true } });
    expect(done.status).toBe('succeeded');
    // "final" first ran after version 3 was saved, and still ran version 2.
    expect(done.output).toEqual([echo('v2 triage of tea'), echo('v2 triage of tea')]);
    expect((await store.load(waiting.runId))?.run.prompts?.map((p) => `${p.nodeId}:${p.version}`)).toEqual(['draft:2', 'final:2']);
    expect(library.asked.filter((a) => a === 'triage@latest')).toHaveLength(1); // @latest was never asked again

    const fresh = await after.engine.start(f, { input: topic });
    expect(fresh.status).toBe('waiting');
    expect((await store.load(fresh.runId))?.run.prompts?.map((p) => p.version)).toEqual([3, 3]);
  });

  it('resolves a reference used by several nodes once, and every node of the run gets the same version', async () => {
    const library = triageLibrary();
    const { engine } = harness({ prompts: library });
    const f = flow(
      [input(), libraryPrompt('a', 'triage@latest'), libraryPrompt('b', 'triage@latest', { system: { ref: 'triage@latest' } }), output('out', ['{{ nodes.a.output }}', '{{ nodes.b.output }}'])],
      [['in', 'a'], ['in', 'b'], ['a', 'out'], ['b', 'out']],
    );
    const result = await engine.start(f, { input: topic });
    expect(result.output).toEqual([echo('v2 triage of tea'), echo('v2 triage of tea')]);
    expect(library.asked).toEqual(['triage@latest']);
  });

  it('gives an agent its instructions from the library, and keeps them pinned across a tool approval', async () => {
    const library = new MemoryPromptLibrary();
    library.save('support-agent', 'You are support agent v1 for {{ input.topic }}.');
    const systems: string[] = [];
    const { engine, of } = harness({ prompts: library, models: recordingModels(systems) });
    const f = flow(
      [
        input(),
        { id: 'refund', type: 'tool', config: { tool: 'transform', name: 'issue_refund', requiresApproval: true, parameters: { type: 'object', properties: { amount: { type: 'number' } } }, expression: "{ 'refunded': args.amount }" } },
        { id: 'agent', type: 'agent', config: { model: 'test:m', instructions: { ref: 'support-agent@latest' }, maxSteps: 4 } },
        output('out', '{{ nodes.agent.output }}'),
      ],
      [['in', 'agent'], ['refund', 'agent', 'tool', 'tools'], ['agent', 'out']],
    );
    const mocks = { agent: [{ toolCalls: [{ tool: 'issue_refund', args: { amount: 30 } }] }, { text: 'Refunded 30.' }] };
    const waiting = await engine.start(f, { input: topic, mocks });
    expect(waiting.status).toBe('waiting');
    library.save('support-agent', 'You are support agent v2.');
    const done = await engine.resume(waiting.runId, { answer: { waitId: waiting.waiting[0]!.waitId, approved: true } });
    expect(done.output).toBe('Refunded 30.');
    expect(systems).toEqual(['You are support agent v1 for tea.', 'You are support agent v1 for tea.']);
    expect((of('run.started')[0] as EventOf<'run.started'>).data.prompts).toEqual([
      { ref: 'support-agent@latest', name: 'support-agent', version: 1, nodeId: 'agent', field: 'instructions.ref' },
    ]);
  });

  it('refuses a run whose references cannot be resolved before it exists, naming each node, field and reference', async () => {
    const library = triageLibrary();
    const { engine, events } = harness({ prompts: library });
    const f = flow(
      [input(), libraryPrompt('classify', 'triage@9'), libraryPrompt('reply', 'triage@2', { system: { ref: 'tone@latest' } })],
      [['in', 'classify'], ['classify', 'reply']],
    );
    const refused = await engine.start(f, { input: topic }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnresolvedPromptError);
    const error = refused as UnresolvedPromptError;
    expect(error.code).toBe('unresolved_prompt');
    expect(error.message).toBe('node "classify": prompt.ref "triage@9": the prompt "triage" has no version 9 (latest is 2) (and 1 more)');
    expect(error.problems).toEqual([
      { nodeId: 'classify', field: 'prompt.ref', ref: 'triage@9', message: 'node "classify": prompt.ref "triage@9": the prompt "triage" has no version 9 (latest is 2)' },
      { nodeId: 'reply', field: 'system.ref', ref: 'tone@latest', message: 'node "reply": system.ref "tone@latest": there is no prompt "tone" in the library' },
    ]);
    expect(events).toEqual([]); // no run, no step
  });

  it('refuses a flow with references when the engine has no library', async () => {
    const { engine } = harness();
    const f = flow([input(), libraryPrompt('classify', 'triage@latest')], [['in', 'classify']]);
    await expect(engine.start(f, { input: topic })).rejects.toThrow('node "classify": prompt.ref "triage@latest": this runner has no prompt library to resolve it from');
  });

  it('bounds a library template like inline text', async () => {
    const library = new MemoryPromptLibrary();
    library.save('huge', 'x'.repeat(100_001));
    const { engine } = harness({ prompts: library });
    const f = flow([input(), libraryPrompt('classify', 'huge@1', { system: { ref: 'huge@1' } })], [['in', 'classify']]);
    // 100,001 characters fit a prompt (200,000) but not a system text (100,000).
    await expect(engine.start(f, { input: topic })).rejects.toThrow('node "classify": system.ref "huge@1": version 1 of "huge" is 100001 characters long; system takes at most 100000');
  });

  it('fails a resumed step clearly when the version it pinned has left the library', async () => {
    const library = triageLibrary();
    const store = new MemoryCheckpointStore();
    const f = flow([input(), approval, libraryPrompt('final', 'triage@latest', { model: 'test:model' })], [['in', 'ok'], ['ok', 'final', 'approved']]);
    const waiting = await harness({ store, prompts: library }).engine.start(f, { input: topic });
    library.delete('triage');
    const done = await harness({ store, prompts: library }).engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: true } });
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ nodeId: 'final', code: 'unresolved_prompt' });
    expect(done.error?.message).toBe('node "final": prompt.ref "triage@latest": version 2 of "triage", which this run started with, is no longer in the library');
  });

  it('lists the versions a run would use now, for checks before publishing', async () => {
    const library = triageLibrary();
    const { engine } = harness({ prompts: library });
    const f = flow([input(), libraryPrompt('classify', 'triage@latest')], [['in', 'classify']]);
    expect(await engine.resolvePrompts(f)).toEqual([{ ref: 'triage@latest', name: 'triage', version: 2, nodeId: 'classify', field: 'prompt.ref' }]);
  });
});

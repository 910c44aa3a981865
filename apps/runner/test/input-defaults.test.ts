/**
 * An input schema's defaults are filled into the run's input before it is checked, on every way
 * in (the engine the CLI uses, the admin API, a published endpoint), and the trace's run.started
 * shows the input as the run used it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, parseSse } from './support/api.js';
import { harness } from './support/harness.js';
import { flow, output } from '@trellis/test-support/flows';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    greeting: { type: 'string', default: 'Hello' },
    limit: { type: 'integer', default: 3 },
    options: { type: 'object', properties: { lang: { type: 'string', default: 'en' } }, required: ['lang'] },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer', default: 1 } }, required: ['sku', 'qty'] } },
  },
  required: ['name', 'limit'],
};

const nodes = [
  { id: 'in', type: 'input', config: { schema } },
  { id: 'big', type: 'condition', config: { branches: [{ id: 'many', when: 'size(input.name) + 1 > input.limit' }] } },
  output('out', { text: '{{ input.greeting }}, {{ input.name }}', limit: '{{ input.limit }}', input: '{{ input }}' }),
];
const edges: [string, string, string?][] = [['in', 'big'], ['big', 'out', 'many'], ['big', 'out', 'else']];
const defaultsFlow = (id = 'test-flow') => ({ ...flow(nodes, edges), id, name: 'Defaults' });

describe('input defaults in the engine (the CLI path)', () => {
  it('a run without an optional field that has a default succeeds, and run.started shows the default', async () => {
    const { engine, events } = harness();
    const given = { name: 'Ada' };
    const result = await engine.start(defaultsFlow(), { input: given });
    expect(result.status).toBe('succeeded');
    expect(result.output).toMatchObject({ text: 'Hello, Ada', limit: 3 });
    const started = events.find((e) => e.type === 'run.started') as { data: { input: unknown } };
    expect(started.data.input).toEqual({ name: 'Ada', greeting: 'Hello', limit: 3 });
    expect(given).toEqual({ name: 'Ada' });
  });

  it('fills in nested objects and array items', async () => {
    const { engine, events } = harness();
    const result = await engine.start(defaultsFlow(), { input: { name: 'Ada', greeting: 'Hi', options: {}, lines: [{ sku: 'A' }, { sku: 'B', qty: 4 }] } });
    expect(result.status).toBe('succeeded');
    const used = { name: 'Ada', greeting: 'Hi', limit: 3, options: { lang: 'en' }, lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 4 }] };
    expect((events.find((e) => e.type === 'run.started') as { data: { input: unknown } }).data.input).toEqual(used);
    expect((result.output as Body).input).toEqual(used);
  });

  it('still refuses an input that breaks the schema once defaults are in', async () => {
    const { engine } = harness();
    const result = await engine.start(defaultsFlow(), { input: { greeting: 'Hi' } });
    expect(result.status).toBe('failed');
    expect(JSON.stringify(result.error)).toMatch(/name/);
  });
});

describe('input defaults through the API', () => {
  let h: Awaited<ReturnType<typeof apiHarness>>;
  beforeEach(async () => {
    h = await apiHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const startedInput = async (runId: string) => {
    const events = parseSse((await h.call<string>('GET', `/api/runs/${runId}/events`, undefined, { Accept: 'text/event-stream' })).body);
    const started = events.find((e) => e.event === 'run.started');
    return (JSON.parse(started!.data) as { data: { input: unknown } }).data.input;
  };

  it('an admin run leaves out a required field that has a default, and its trace shows the default', async () => {
    expect((await h.call('POST', '/api/flows', defaultsFlow('defaults'))).status).toBe(201);
    const run = await h.call<Body>('POST', '/api/flows/defaults/runs', { input: { name: 'Ada', lines: [{ sku: 'A' }] } });
    expect(run.status).toBe(201);
    const done = await h.runUntil(run.body.id as string, ['succeeded']);
    expect(done.output).toMatchObject({ text: 'Hello, Ada', limit: 3 });
    expect(await startedInput(run.body.id as string)).toEqual({ name: 'Ada', greeting: 'Hello', limit: 3, lines: [{ sku: 'A', qty: 1 }] });
    // What is still missing is refused before a run is made, naming it.
    const refused = await h.call<Body>('POST', '/api/flows/defaults/runs', { input: { lines: [{ qty: 2 }] } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/input.*name/);
  });

  it('a published endpoint call uses the defaults', async () => {
    await h.call('POST', '/api/flows', defaultsFlow('defaults'));
    expect((await h.call('POST', '/api/flows/defaults/publish', { slug: 'greet' })).status).toBe(201);
    const key = await h.call<Body>('POST', '/api/keys', { name: 'k' });
    const auth = { Authorization: `Bearer ${key.body.secret as string}` };
    const answer = await h.call<Body>('POST', '/v1/flows/greet', { name: 'Grace', options: {} }, auth);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', output: { text: 'Hello, Grace', limit: 3 } });
    expect(await startedInput(answer.body.runId as string)).toEqual({ name: 'Grace', greeting: 'Hello', limit: 3, options: { lang: 'en' } });
  });
});

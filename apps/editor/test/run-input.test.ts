import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { checkInput, describeProblem } from '../src/run/input-check.js';
import { parseMocks } from '../src/run/mocks.js';
import { fieldText, formFields, parseField, withField, type FormField } from '../src/run/schema-form.js';

const ticket = {
  type: 'object',
  properties: {
    message: { type: 'string', minLength: 1, maxLength: 10000, description: "The customer's message" },
    customerId: { type: 'string', title: 'Customer id', maxLength: 64 },
    email: { type: 'string', format: 'email' },
    priority: { type: 'string', enum: ['low', 'high'] },
    seats: { type: 'integer', minimum: 1 },
    score: { type: ['number', 'null'] },
    vip: { type: 'boolean' },
    account: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
  },
  required: ['message', 'customerId'],
  additionalProperties: false,
};

describe('the run input form generated from the input schema', () => {
  it('gives each property a control that fits it, labelled by its title or name, required ones marked', () => {
    const fields = formFields(ticket)!;
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(fields.map((f) => f.name)).toEqual(['message', 'customerId', 'email', 'priority', 'seats', 'score', 'vip', 'account', 'tags']);
    expect(byName.message).toMatchObject({ label: 'message', widget: 'textarea', required: true, description: "The customer's message" });
    expect(byName.customerId).toMatchObject({ label: 'Customer id', widget: 'text', inputType: 'text', required: true, maxLength: 64 });
    expect(byName.email).toMatchObject({ widget: 'text', inputType: 'email', required: false });
    expect(byName.priority).toMatchObject({ widget: 'select', options: ['low', 'high'] });
    expect(byName.seats).toMatchObject({ widget: 'integer', minimum: 1 });
    expect(byName.score?.widget).toBe('number');
    expect(byName.vip?.widget).toBe('checkbox');
    // Nested values are edited as JSON rather than guessed at.
    expect(byName.account?.widget).toBe('json');
    expect(byName.tags?.widget).toBe('json');
  });

  it('offers no form when the schema is not an object with properties', () => {
    expect(formFields({ type: 'object' })).toBeUndefined();
    expect(formFields({ type: 'string' })).toBeUndefined();
    expect(formFields(undefined)).toBeUndefined();
    expect(formFields({ type: 'object', properties: {} })).toBeUndefined();
  });

  it('turns what is typed into the property value, and an emptied field removes the property', () => {
    const [message, , , priority, seats, , , account] = formFields(ticket)! as FormField[];
    expect(parseField(message!, 'hello')).toEqual({ value: 'hello' });
    expect(parseField(message!, '')).toEqual({ value: undefined });
    expect(parseField(seats!, '3')).toEqual({ value: 3 });
    expect(parseField(seats!, '2.5')).toEqual({ error: 'must be a whole number' });
    expect(parseField(priority!, '1')).toEqual({ value: 'high' });
    expect(fieldText(priority!, 'high')).toBe('1');
    expect(parseField(account!, '{"id": "cus_1"}')).toEqual({ value: { id: 'cus_1' } });
    expect(parseField(account!, '{"id":')).toMatchObject({ error: expect.stringContaining('not valid JSON') });
    expect(fieldText(account!, { id: 'cus_1' })).toBe('{\n  "id": "cus_1"\n}');

    const value = withField({ message: 'hi', customerId: 'c' }, 'message', undefined);
    expect(value).toEqual({ customerId: 'c' });
    expect(withField(value, 'seats', 4)).toEqual({ customerId: 'c', seats: 4 });
  });
});

describe('the check of the run input before a run starts', () => {
  it('names each missing, mistyped or out-of-bounds property in words', async () => {
    const problems = (await checkInput({ message: '', seats: 0, priority: 'urgent', score: 'x', vip: 'yes', account: {}, tags: ['a', 'b', 3], extra: 1 }, ticket)).map(describeProblem);
    expect(problems).toEqual([
      'customerId: is required',
      'message: must not be empty',
      'seats: must be at least 1',
      'priority: must be one of "low", "high"',
      'score: must be a number or null, not a string',
      'vip: must be a boolean, not a string',
      'account.id: is required',
      'tags: must have at most 2 items',
      'tags.2: must be a string, not a number',
      'extra: is not a property the input schema allows: remove it',
    ]);
  });

  it('passes a valid input', async () => {
    expect(await checkInput({ message: 'hi', customerId: 'cus_1', score: null, seats: 2, tags: ['a'] }, ticket)).toEqual([]);
    expect((await checkInput('text', { type: 'object' })).map(describeProblem)).toEqual(['must be an object, not a string']);
    expect(await checkInput('anything', undefined)).toEqual([]);
  });

  it('accepts a required field left out when the schema gives it a default, as the runner does', async () => {
    const withDefault = { type: 'object', properties: { limit: { type: 'integer', default: 3 }, lines: { type: 'array', items: { type: 'object', properties: { qty: { type: 'integer', default: 1 } }, required: ['qty'] } } }, required: ['limit'] };
    expect(await checkInput({ lines: [{}] }, withDefault)).toEqual([]);
    expect((await checkInput({ limit: 'x' }, withDefault)).map(describeProblem)).toEqual([expect.stringMatching(/^limit: /)]);
  });

  // Issue 11: the editor checks with the engine's validator, so the rules it used to leave to the
  // runner (patterns, formats, anyOf, $ref…) are named before the run starts, as the runner would.
  it('checks every rule the runner checks, patterns, formats and references included', async () => {
    const code = { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]+$' } } };
    expect(await checkInput({ code: '123' }, code)).toEqual([]);
    expect((await checkInput({ code: 'abc' }, code)).map(describeProblem)).toEqual(['code: must match the pattern ^[0-9]+$']);
    const contact = {
      type: 'object',
      $defs: { email: { type: 'string', format: 'email' } },
      properties: { to: { $ref: '#/$defs/email' }, via: { anyOf: [{ const: 'mail' }, { const: 'post' }] } },
    };
    expect(await checkInput({ to: 'ann@example.com', via: 'post' }, contact)).toEqual([]);
    const wrong = await checkInput({ to: 'not an address', via: 'pigeon' }, contact);
    expect(wrong.map((p) => p.path)).toEqual(expect.arrayContaining(['to', 'via']));
    expect(wrong.find((p) => p.path === 'to')?.message).toBe('must be an e-mail address, e.g. name@example.com');
    expect(wrong.find((p) => p.path === 'via')?.message).toBe('must be "mail" or "post"');
  });
});

describe('the mock script typed in the run panel', () => {
  const flow: Flow = { schema: FLOW_SCHEMA_V1, id: 'f', name: 'F', nodes: [{ id: 'classify', type: 'prompt', position: { x: 0, y: 0 }, config: {} }], edges: [] };

  it('is sent when it is a valid script, and says which node ids the flow lacks', () => {
    expect(parseMocks('', flow)).toEqual({ problems: [], unknownNodes: [] });
    const parsed = parseMocks('{ "classify": { "object": { "category": "billing" } }, "clasify": { "text": "x" } }', flow);
    expect(parsed.problems).toEqual([]);
    expect(parsed.mocks).toEqual({ classify: { object: { category: 'billing' } }, clasify: { text: 'x' } });
    expect(parsed.unknownNodes).toEqual(['clasify']);
  });

  it('is refused, with why, when it is not JSON or not a mock script', () => {
    expect(parseMocks('{ "classify": ', flow).problems[0]).toMatch(/^The mock script is not valid JSON/);
    const wrong = parseMocks('{ "classify": { "txt": "hello" } }', flow);
    expect(wrong.mocks).toBeUndefined();
    expect(wrong.problems[0]).toMatch(/^The mock script at classify/);
  });
});

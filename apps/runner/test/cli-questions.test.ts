/**
 * Questions in the terminal: asked field by field (or as JSON) with askOnTerminal on injected
 * streams, and in `trellis run`, answered by --answers or a default when no one can be asked,
 * never hanging.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';
import { askOnTerminal } from '../src/cli/approve.js';
import { unattendedAnswer } from '../src/cli/question.js';
import type { PendingWait } from '../src/engine/engine.js';

const fixture = fileURLToPath(new URL('../../../packages/nodes/src/kinds/human-input/fixture.flow.json', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'trellis-cli-questions-'));

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  const seen = { text: '' };
  output.on('data', (d) => (seen.text += d));
  return { input, output, seen };
}

const form = {
  type: 'object',
  properties: {
    quantity: { type: 'integer', title: 'Quantity', minimum: 1 },
    speed: { enum: ['standard', 'express'], title: 'Shipping' },
    gift: { type: 'boolean' },
    note: { type: 'string', description: 'Anything the warehouse should know' },
  },
  required: ['quantity', 'speed'],
};
const question = (schema: Record<string, unknown>): PendingWait => ({ nodeId: 'ask', waitId: 'ask', kind: 'question', message: 'How many widgets?', schema });

describe('questions on a terminal', () => {
  it('asks field by field, coercing each to its type and asking again until it fits the form', async () => {
    const { input, output, seen } = terminal();
    const asking = askOnTerminal(question(form), { input, output }, 'cli:ann');
    input.write(['', 'many', '2.5', '0', '3', 'overnight', '2', 'maybe', 'y', '', ''].join('\n'));
    expect(await asking).toEqual({ waitId: 'ask', approved: true, by: 'cli:ann', answer: { quantity: 3, speed: 'express', gift: true } });
    expect(seen.text).toContain('Question at "ask":\n  How many widgets?');
    expect(seen.text).toContain('Quantity (whole number): ');
    expect(seen.text).toContain('Quantity is required');
    expect(seen.text).toContain('Quantity: must be a number');
    expect(seen.text).toContain('Quantity: must be a whole number');
    expect(seen.text).toContain('Quantity: must be at least 1');
    expect(seen.text).toContain('Shipping (1) standard  2) express): ');
    expect(seen.text).toContain('Shipping: choose one of 1) standard, 2) express');
    expect(seen.text).toContain('gift (y/n) (optional): ');
    expect(seen.text).toContain('gift: answer y or n');
    expect(seen.text).toContain('Anything the warehouse should know');
  });

  it("offers each field's default, taken with Enter", async () => {
    const { input, output, seen } = terminal();
    const asking = askOnTerminal(question({ ...form, default: { quantity: 10, speed: 'standard' } }), { input, output }, 'cli:ann');
    input.write('\n\n\nfragile\n');
    expect(await asking).toMatchObject({ answer: { quantity: 10, speed: 'standard', note: 'fragile' } });
    expect(seen.text).toContain('Quantity (whole number) [10]: ');
  });

  it('takes any other form as JSON over lines, checked against the form', async () => {
    const { input, output, seen } = terminal();
    const list = { type: 'array', items: { type: 'string' }, minItems: 1 };
    const asking = askOnTerminal(question(list), { input, output }, 'cli:ann');
    input.write('\n["a",\n\n[]\n\n[1]\n\n["tea",\n "cake"]\n\n');
    expect(await asking).toEqual({ waitId: 'ask', approved: true, by: 'cli:ann', answer: ['tea', 'cake'] });
    expect(seen.text).toContain('answer as JSON, ended by an empty line');
    expect(seen.text).toContain('the answer is required');
    expect(seen.text).toMatch(/the answer is not valid JSON: .*; type it again/);
    expect(seen.text).toMatch(/answer: .*; answer again/);
    expect(seen.text).toMatch(/answer\.0: .*; answer again/);
  });

  it('answers without asking from --answers (checked) or the form\'s default, and gives up when there is neither', () => {
    expect(unattendedAnswer(question(form), { ask: { quantity: 2, speed: 'express' } }, 'cli:x')).toMatchObject({ answer: { quantity: 2, speed: 'express' }, by: 'cli:x (--answers)' });
    expect(() => unattendedAnswer(question(form), { ask: { quantity: 'two', speed: 'express' } }, 'cli:x')).toThrow('--answers: the answer for "ask" does not match its form: ask.quantity: must be a whole number, not a string');
    expect(unattendedAnswer(question({ ...form, default: { quantity: 1, speed: 'standard' } }), undefined, 'cli:x')).toMatchObject({ answer: { quantity: 1, speed: 'standard' }, by: 'cli:x (default answer)' });
    expect(unattendedAnswer(question({ ...form, default: { quantity: 1, speed: 'standard' } }), undefined, 'cli:x', { takeDefault: false })).toBeUndefined();
    expect(unattendedAnswer(question(form), undefined, 'cli:x')).toBeUndefined();
  });
});

describe('trellis run with a question', () => {
  it('with no terminal, stops at the question as waiting, saying how to answer it', async () => {
    const { code, stdout, stderr } = await trellis(['run', fixture, '--input', '{"item":"widgets"}']);
    expect(code).toBe(3);
    expect(stdout).toContain('ask asks: How many widgets should we reorder?');
    expect(stdout).toMatch(/answer by .*; with no answer by then it is routed to timeout/);
    expect(stderr).toMatch(/is waiting for an answer at "ask".*no terminal to ask on.*--answers '\{"ask": …\}'.*"quantity"/);
  });

  it('takes scripted answers with --answers, and refuses one that does not fit the form, naming the field', async () => {
    const ok = await trellis(['run', fixture, '--input', '{"item":"widgets"}', '--answers', '{"ask":{"quantity":5}}']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/▶ answered by cli:.* \(--answers\): \{"quantity":5\}/);
    expect(ok.stdout).toContain('"quantity": 5');
    const wrong = await trellis(['run', fixture, '--input', '{"item":"widgets"}', '--answers', '{"ask":{"quantity":"five"}}']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--answers: the answer for "ask" does not match its form: ask\.quantity: /);
  });

  it('does not hang under --approve all: a question with a default answer takes it, one without stops as waiting', async () => {
    const flow = JSON.parse(readFileSync(fixture, 'utf8')) as { nodes: { id: string; config: Record<string, unknown> }[] };
    flow.nodes.find((n) => n.id === 'ask')!.config.defaultAnswer = { quantity: 1 };
    const withDefault = join(scratch, 'with-default.flow.json');
    writeFileSync(withDefault, JSON.stringify(flow));
    const defaulted = await trellis(['run', withDefault, '--input', '{"item":"widgets"}', '--approve', 'all']);
    expect(defaulted.code).toBe(0);
    expect(defaulted.stdout).toMatch(/answered by cli:.* \(default answer\)/);
    expect(defaulted.stdout).toContain('"quantity": 1');
    const stopped = await trellis(['run', fixture, '--input', '{"item":"widgets"}', '--approve', 'all']);
    expect(stopped.code).toBe(3);
  });
});

import type { Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { flow as testFlow } from '@trellis/test-support/flows';
import { ApiError } from '../src/api.js';
import { reportError } from '../src/publish/errors.js';
import { parseOrigins } from '../src/publish/origins.js';
import { FROM_SCHEMA_LABEL, exampleFromSchema, sampleBodies } from '../src/publish/sample-input.js';
import { slugProblem, suggestSlug } from '../src/publish/slug.js';

const flow = (schema: unknown, samples?: Flow['samples']): Flow =>
  testFlow([{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema } }], [], { id: 'f', name: 'F', ...(samples ? { samples } : {}) }) as Flow;

describe('the slug check, as the runner applies it', () => {
  it('accepts lowercase letters, digits and dashes, and says what is wrong with anything else', () => {
    expect(slugProblem('support-triage-2')).toBeUndefined();
    expect(slugProblem('')).toMatch(/Enter a slug/);
    expect(slugProblem('Support triage')).toBe('Use lowercase letters, digits and "-" only (not "S", space).');
    expect(slugProblem('my_flow')).toMatch(/not "_"/);
    expect(slugProblem('-triage')).toMatch(/Start the slug with a lowercase letter or a digit/);
    expect(slugProblem('a'.repeat(64))).toMatch(/at most 63 characters \(this one has 64\)/);
  });

  it('suggests a valid slug from any flow id', () => {
    expect(suggestSlug('support-triage')).toBe('support-triage');
    expect(suggestSlug('_Support__Triage_')).toBe('support-triage');
    expect(suggestSlug('___')).toBe('flow');
    const long = suggestSlug(`a${'-b'.repeat(40)}`);
    expect(slugProblem(long)).toBeUndefined();
  });
});

describe('the request body in the curl command', () => {
  it("offers the flow's samples first, then a body built from the input schema", () => {
    const bodies = sampleBodies(flow({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, [{ name: 'routine', input: { q: 'hello' } }]));
    expect(bodies).toEqual([
      { label: 'routine', body: { q: 'hello' } },
      { label: FROM_SCHEMA_LABEL, body: { q: 'text' } },
    ]);
  });

  it('builds the smallest body the schema accepts: required fields, within their bounds', () => {
    const schema = {
      type: 'object',
      properties: {
        message: { type: 'string', minLength: 6 },
        email: { type: 'string', format: 'email' },
        count: { type: 'integer', minimum: 2, maximum: 9 },
        ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        tier: { enum: ['gold', 'silver'] },
        tags: { type: 'array', minItems: 1, items: { type: 'string', maxLength: 2 } },
        flag: { type: ['boolean', 'null'] },
        optional: { type: 'string' },
      },
      required: ['message', 'email', 'count', 'ratio', 'tier', 'tags', 'flag'],
    };
    expect(exampleFromSchema(schema)).toEqual({ message: 'textxx', email: 'someone@example.com', count: 2, ratio: 0, tier: 'gold', tags: ['te'], flag: false });
    expect(exampleFromSchema({ type: 'object', properties: { a: { default: 3 } } })).toEqual({ a: 3 });
    expect(exampleFromSchema({ examples: [{ x: 1 }], type: 'object' })).toEqual({ x: 1 });
  });
});

describe('browser origins for CORS', () => {
  it('keeps "*" and origins, trims paths and slashes, and refuses what is not a web origin', () => {
    expect(parseOrigins('https://app.example.com/, *  http://localhost:5173/x')).toEqual({ origins: ['https://app.example.com', '*', 'http://localhost:5173'] });
    expect(parseOrigins('')).toEqual({ origins: [] });
    expect(parseOrigins('app.example.com').problem).toMatch(/"app.example.com" is not an origin/);
    expect(parseOrigins('ftp://files.example').problem).toMatch(/use http:\/\/ or https:\/\//);
  });
});

describe("the runner's errors, in words", () => {
  it("lists the flow's problems from a 422, each with its node", () => {
    const error = new ApiError(422, 'invalid_flow', 'flow "f" version 2 cannot run: it has 2 problems, e.g. missing model', {
      problems: [
        { severity: 'error', code: 'invalid_config', message: 'missing model', nodeId: 'classify', path: ['nodes', 1] },
        { severity: 'error', code: 'no_input', message: 'the flow has no input node', path: [] },
        { path: 'input.email', message: 'Invalid email' },
      ],
    });
    expect(reportError('Could not publish "f"', error)).toEqual({
      message: 'Could not publish "f": flow "f" version 2 cannot run: it has 2 problems, e.g. missing model. Fix the problems below, save, and publish the new version.',
      problems: ['classify: missing model', 'the flow has no input node', 'input.email: Invalid email'],
    });
  });

  it('passes on what the runner says about a taken slug, and what went wrong when there was no answer', () => {
    const taken = reportError('Could not publish "triage"', new ApiError(409, 'slug_taken', 'slug "triage" already serves flow "other"; unpublish it first or choose another'));
    expect(taken).toEqual({ message: 'Could not publish "triage": slug "triage" already serves flow "other"; unpublish it first or choose another', problems: [] });
    expect(reportError('Could not create the key', new TypeError('Failed to fetch')).message).toBe('Could not create the key: Failed to fetch');
  });
});

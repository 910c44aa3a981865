import type { Prompt, TryPromptResult } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../src/api.js';
import { diffRows, diffSummary, tagChanges } from '../src/prompts/diff-rows.js';
import { draftOf, isDirty, updateOf } from '../src/prompts/draft.js';
import { describeImport, readLibraryFile } from '../src/prompts/library-file.js';
import { promptNameProblem } from '../src/prompts/name-check.js';
import { hashOfRoute, routeFromHash } from '../src/routes.js';
import { buildSample, emptySample, sampleFields } from '../src/prompts/samples.js';
import { snippetParts } from '../src/prompts/snippet.js';
import { addTag, tagOptions } from '../src/prompts/tags.js';
import { DRAFT, parseMock, tryGrid, tryTargets, versionLabel } from '../src/prompts/try-model.js';
import { readTemplate } from '../src/prompts/variables.js';

describe('the side-by-side diff of two versions', () => {
  it('keeps equal lines on both sides and pairs a changed line across', () => {
    const diff = diffRows('Classify the ticket.\nAnswer with one word.\nBe brief.', 'Classify the ticket.\nAnswer with one category.\nBe brief.');
    expect(diff.rows).toEqual([
      { left: { number: 1, text: 'Classify the ticket.', kind: 'same' }, right: { number: 1, text: 'Classify the ticket.', kind: 'same' } },
      { left: { number: 2, text: 'Answer with one word.', kind: 'removed' }, right: { number: 2, text: 'Answer with one category.', kind: 'added' } },
      { left: { number: 3, text: 'Be brief.', kind: 'same' }, right: { number: 3, text: 'Be brief.', kind: 'same' } },
    ]);
    expect(diffSummary(diff)).toBe('1 line added, 1 line removed.');
  });

  it('leaves the other side empty where lines were only added or only removed, numbering each side on its own', () => {
    const diff = diffRows('a\nb\nc', 'a\nc\nd\ne');
    expect(diff.rows.map((r) => [r.left && `${r.left.kind} ${r.left.number} ${r.left.text}`, r.right && `${r.right.kind} ${r.right.number} ${r.right.text}`])).toEqual([
      ['same 1 a', 'same 1 a'],
      ['removed 2 b', undefined],
      ['same 3 c', 'same 2 c'],
      [undefined, 'added 3 d'],
      [undefined, 'added 4 e'],
    ]);
    expect(diffSummary(diff)).toBe('2 lines added, 1 line removed.');
  });

  it('says when the templates are the same, and ignores a missing final newline', () => {
    const diff = diffRows('one\ntwo\n', 'one\ntwo');
    expect(diff.added + diff.removed).toBe(0);
    expect(diffSummary(diff)).toBe('The templates are the same.');
    expect(diffRows('', 'new').rows).toEqual([{ right: { number: 1, text: 'new', kind: 'added' } }]);
  });

  it('lists the tags a version added and removed', () => {
    expect(tagChanges(['role', 'safety'], ['safety', 'review'])).toEqual({ added: ['review'], removed: ['role'] });
  });
});

describe('search snippets', () => {
  it('marks the words between « and »', () => {
    expect(snippetParts('…the «refund» policy for «billing» tickets…')).toEqual([
      { text: '…the ', mark: false },
      { text: 'refund', mark: true },
      { text: ' policy for ', mark: false },
      { text: 'billing', mark: true },
      { text: ' tickets…', mark: false },
    ]);
  });

  it('leaves a stray mark as text and handles a snippet without marks', () => {
    expect(snippetParts('«open and «shut»')).toEqual([
      { text: '«open and ', mark: false },
      { text: 'shut', mark: true },
    ]);
    expect(snippetParts('plain text')).toEqual([{ text: 'plain text', mark: false }]);
  });
});

describe('the sample variables of Try it', () => {
  it('gives a field per path the template reads, the deepest path only', () => {
    const form = sampleFields(readTemplate('Ticket from {{ customer.name }}: {{ input.message }} ({{ input }}) {{ tone }}').variables);
    expect(form.fields.map((f) => f.key)).toEqual(['customer.name', 'input.message', 'tone']);
    expect(form.jsonOnly).toEqual([]);
  });

  it('leaves variables read with an index to the JSON box', () => {
    const form = sampleFields(['items[0].name', 'history["last"]']);
    expect(form.fields.map((f) => f.key)).toEqual(['history.last']);
    expect(form.jsonOnly).toEqual(['items']);
  });

  it('builds nested variables from the fields, on top of the JSON', () => {
    const form = sampleFields(['input.message', 'input.priority', 'tone']);
    const built = buildSample({ values: { 'input.message': 'My invoice is wrong', tone: '' }, json: '{"input": {"priority": 2, "message": "overwritten"}, "extra": [1]}' }, form);
    expect(built).toEqual({ ok: true, vars: { input: { message: 'My invoice is wrong', priority: 2 }, extra: [1] }, unset: ['tone'] });
    expect(buildSample(emptySample(), form)).toEqual({ ok: true, vars: {}, unset: ['input.message', 'input.priority', 'tone'] });
  });

  it('says what is wrong with the JSON in words', () => {
    const form = sampleFields(['input.message']);
    expect(buildSample({ values: {}, json: '{"input": ' }, form)).toMatchObject({ ok: false, error: expect.stringMatching(/^The JSON is not valid: /) });
    expect(buildSample({ values: {}, json: '[1, 2]' }, form)).toMatchObject({ ok: false, error: expect.stringMatching(/must be an object of variables/) });
    expect(buildSample({ values: { 'input.message': 'hi' }, json: '{"input": "text"}' }, form)).toEqual({ ok: false, error: 'input.message: the JSON sets "input" to something other than an object.' });
  });
});

describe('choosing what Try it runs', () => {
  it('tries saved versions and the draft, each once, in the order chosen', () => {
    expect(tryTargets([1, 4], 'draft text')).toEqual({ versions: [1, 4], order: [1, 4] });
    expect(tryTargets([3, DRAFT], 'draft text')).toEqual({ versions: [3], order: [3, 0], draft: 'draft text' });
    expect(tryTargets([2, 2], '')).toEqual({ versions: [2], order: [2] });
    expect(tryTargets([undefined, undefined], '').order).toEqual([]);
    expect(versionLabel(DRAFT)).toBe('Unsaved draft');
    expect(versionLabel(4)).toBe('Version 4');
  });

  it("checks the test provider's reply against the mock format", () => {
    expect(parseMock('')).toEqual({ ok: true });
    expect(parseMock('{"text": "billing"}')).toEqual({ ok: true, mock: { text: 'billing' } });
    expect(parseMock('[{"text": "a"}, {"text": "b"}]')).toEqual({ ok: true, mock: [{ text: 'a' }, { text: 'b' }] });
    expect(parseMock('{"txt": "typo"}')).toMatchObject({ ok: false, error: expect.stringMatching(/must be like \{"text": "…"\}/) });
    expect(parseMock('{text}')).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
  });

  it('lays the results out as a row per sample and a column per version', () => {
    const result = (version: number, sample: number, text: string, testProvider = true): TryPromptResult => ({ version, sample, rendered: `v${version} s${sample}`, text, durationMs: 5, testProvider });
    const grid = tryGrid([result(4, 0, 'b'), result(1, 0, 'a'), result(1, 1, 'c'), result(4, 1, 'd', false)], [1, 4]);
    expect(grid.columns).toEqual([1, 4]);
    expect(grid.rows.map((r) => [r.label, ...r.cells.map((c) => c?.text)])).toEqual([
      ['Sample 1', 'a', 'b'],
      ['Sample 2', 'c', 'd'],
    ]);
    expect(grid.testProvider).toBe(true);
    // A version the runner answered for but that was not asked for still shows, last.
    expect(tryGrid([result(7, 0, 'x', false)], [1]).columns).toEqual([1, 7]);
    expect(tryGrid([result(7, 0, 'x', false)], [1]).rows[0]!.cells[0]).toBeUndefined();
  });
});

describe('names, tags, drafts and files', () => {
  it('checks a new name the way the runner does, and says when it is taken', () => {
    expect(promptNameProblem('triage-classifier', [])).toBeUndefined();
    expect(promptNameProblem('', [])).toBe('Give the prompt a name.');
    expect(promptNameProblem('Triage Classifier', [])).toMatch(/^A prompt's name uses lowercase letters/);
    expect(promptNameProblem('triage', ['triage'])).toBe('A prompt named “triage” exists already.');
  });

  it('cleans typed tags and offers the suggested tags first, then those in use', () => {
    expect(addTag(['role'], '  Tone Of Voice ')).toEqual(['role', 'tone-of-voice']);
    expect(addTag(['role'], 'role')).toEqual(['role']);
    expect(addTag(['role'], '   ')).toEqual(['role']);
    const options = tagOptions(['zeta', 'safety', 'alpha', 'zeta']);
    expect(options.slice(0, 2)).toEqual(['role', 'tool-use']);
    expect(options.slice(-2)).toEqual(['alpha', 'zeta']);
    expect(options.filter((t) => t === 'safety')).toHaveLength(1);
  });

  it('knows when an edit would make a new version, and sends what it started from', () => {
    const prompt: Prompt = { name: 'p', template: 'Hi {{ name }}', tags: ['role'], latestVersion: 3, variables: ['name'], createdAt: '', updatedAt: '' };
    const draft = draftOf(prompt);
    expect(isDirty(draft)).toBe(false);
    expect(isDirty({ ...draft, note: 'only a note' })).toBe(false);
    expect(isDirty({ ...draft, tags: ['role', 'review'] })).toBe(true);
    expect(isDirty({ ...draft, description: 'new' })).toBe(true);
    expect(updateOf({ ...draft, template: 'Hello {{ name }}', note: ' friendlier ' }, ' Ada ')).toEqual({ template: 'Hello {{ name }}', tags: ['role'], note: 'friendlier', author: 'Ada', expectVersion: 3 });
  });

  it('refuses a file that is not a prompt library before sending it, and describes an import', () => {
    expect(readLibraryFile('{"schema": "trellis.flow/v1"}')).toMatchObject({ ok: false, error: expect.stringMatching(/not a Trellis prompt library/) });
    expect(readLibraryFile('nope')).toMatchObject({ ok: false, error: expect.stringMatching(/^it is not JSON/) });
    expect(readLibraryFile('{"schema": "trellis.prompts/v1", "exportedAt": "", "prompts": []}').ok).toBe(true);
    expect(describeImport({ created: ['a'], updated: [], unchanged: ['b', 'c'] })).toBe('1 prompt created (a), 0 prompts updated, 2 prompts unchanged (b, c)');
  });

  it('reads and writes the page addresses', () => {
    expect(routeFromHash('#/prompts')).toEqual({ page: 'prompts' });
    expect(routeFromHash('#/prompts/triage-classifier')).toEqual({ page: 'prompt', name: 'triage-classifier' });
    expect(routeFromHash('#/flows/support-triage')).toEqual({ page: 'flow', id: 'support-triage' });
    expect(routeFromHash('')).toEqual({ page: 'flows' });
    expect(routeFromHash('#/flows')).toEqual({ page: 'flows' });
    expect(hashOfRoute({ page: 'flow', id: 'a b' })).toBe('#/flows/a%20b');
    expect(hashOfRoute({ page: 'flows' })).toBe('');
  });
});

describe('the prompt library client', () => {
  function client(status: number, body: unknown) {
    const calls: Array<{ url: string; method: string; body?: unknown }> = [];
    const api = createApiClient({
      EventSource: null,
      fetch: async (url, init) => {
        calls.push({ url, method: init?.method ?? 'GET', ...(typeof init?.body === 'string' ? { body: JSON.parse(init.body) as unknown } : {}) });
        return new Response(status === 204 ? null : JSON.stringify(body), { status });
      },
    });
    return { api, calls };
  }

  it('searches with the query and tag in the URL, and names the prompt in every path', async () => {
    const { api, calls } = client(200, { items: [] });
    await api.listPrompts({ q: 'refund policy', tag: 'billing' });
    await api.listPromptVersions('triage/x');
    expect(calls.map((c) => c.url)).toEqual(['/api/prompts?q=refund+policy&tag=billing', '/api/prompts/triage%2Fx/versions']);
  });

  it('deletes only with force when asked to, and turns a refusal into an ApiError with its details', async () => {
    const plain = client(204, undefined);
    await plain.api.deletePrompt('triage');
    await plain.api.deletePrompt('triage', true);
    expect(plain.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/prompts/triage', 'DELETE /api/prompts/triage?force=true']);

    const refused = client(409, { error: { code: 'prompt_in_use', message: 'prompt "triage" is used by Support triage', details: { uses: [{ flowId: 'support-triage' }] } } });
    const error = await refused.api.deletePrompt('triage').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'prompt_in_use', details: { uses: [{ flowId: 'support-triage' }] } });
  });

  it('sends an edit with the version it started from, and a try with its versions and samples', async () => {
    const { api, calls } = client(200, {});
    await api.updatePrompt('triage', { template: 't', tags: [], expectVersion: 3 });
    await api.tryPrompt('triage', { versions: [1, 4], samples: [{ input: { message: 'hi' } }], model: 'test:echo', mock: { text: 'ok' } });
    expect(calls).toEqual([
      { url: '/api/prompts/triage', method: 'PUT', body: { template: 't', tags: [], expectVersion: 3 } },
      { url: '/api/prompts/triage/try', method: 'POST', body: { versions: [1, 4], samples: [{ input: { message: 'hi' } }], model: 'test:echo', mock: { text: 'ok' } } },
    ]);
  });
});

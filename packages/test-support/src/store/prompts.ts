import { randomBytes, randomUUID } from 'node:crypto';
import type { PromptPin } from '@trellis/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreConflict, type Store } from '@trellis/runner/store';
import { runRecord } from './fixtures.js';

/**
 * The prompt library's half of the Store contract, run against every backend. The database is
 * shared by the whole suite, so each test uses names and search words of its own.
 */
export function promptStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(`prompt library: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    const mine = async (names: string[], query: Parameters<Store['listPrompts']>[0] = {}) =>
      (await store.listPrompts(query)).filter((p) => names.includes(p.name)).map((p) => p.name);

    it('creates a prompt as version 1 with its variables, and refuses a name that is taken', async () => {
      const name = uname('greet');
      const v1 = await store.createPrompt({
        name,
        template: 'Hello {{ customer.name }}, about {{ input.message }}: {{ customer.plan }} {% if vip %}VIP{% endif %}',
        description: 'Greets a customer',
        tags: [' Role', 'drafting', 'role', 'Tool Use'],
        note: 'first draft',
        author: 'ada',
      });
      expect(v1).toMatchObject({ name, version: 1, note: 'first draft', author: 'ada', description: 'Greets a customer' });
      expect(v1.tags).toEqual(['role', 'drafting', 'tool-use']);
      expect(v1.variables).toEqual(['customer', 'input', 'vip']);

      const prompt = await store.getPrompt(name);
      expect(prompt).toMatchObject({ name, latestVersion: 1, template: v1.template, tags: v1.tags, variables: v1.variables, description: 'Greets a customer' });
      expect(prompt?.createdAt).toBe(v1.createdAt);
      expect(prompt?.snippet).toBeUndefined();
      expect(await store.getPromptVersion(name, 1)).toEqual(v1);

      const taken = store.createPrompt({ name, template: 'Other', tags: [] });
      await expect(taken).rejects.toBeInstanceOf(StoreConflict);
      await expect(taken).rejects.toThrow(/already exists/);
      expect(await store.getPrompt(uname('none'))).toBeUndefined();
      expect(await store.updatePrompt(uname('none'), { template: 'x', tags: [] })).toBeUndefined();
    });

    it('makes a new version for each change of content and none for the same content', async () => {
      const name = uname('summary');
      await store.createPrompt({ name, template: 'Summarise {{ input }}', tags: ['summary'], note: 'v1' });
      const v2 = await store.updatePrompt(name, { template: 'Summarise briefly: {{ input }}', tags: ['summary'], note: 'shorter', author: 'bo' });
      expect(v2).toMatchObject({ version: 2, note: 'shorter', author: 'bo', template: 'Summarise briefly: {{ input }}' });

      // Same text, tags and description (tags as typed differently): no version 3.
      const same = await store.updatePrompt(name, { template: 'Summarise briefly: {{ input }}', tags: [' SUMMARY '], note: 'no change' });
      expect(same).toMatchObject({ version: 2, note: 'shorter' });
      // A description is content too.
      const v3 = await store.updatePrompt(name, { template: 'Summarise briefly: {{ input }}', description: 'Short summaries', tags: ['summary'] });
      expect(v3?.version).toBe(3);

      expect((await store.listPromptVersions(name)).map((v) => [v.version, v.note ?? null, v.author ?? null])).toEqual([
        [3, null, null],
        [2, 'shorter', 'bo'],
        [1, 'v1', null],
      ]);
      expect((await store.getPromptVersion(name, 1))?.template).toBe('Summarise {{ input }}');
      expect(await store.getPromptVersion(name, 4)).toBeUndefined();
      expect(await store.getPrompt(name)).toMatchObject({ latestVersion: 3, description: 'Short summaries' });
    });

    it('refuses a save that expects another version', async () => {
      const name = uname('review');
      await store.createPrompt({ name, template: 'Review {{ input }}', tags: [] });
      await store.updatePrompt(name, { template: 'Review carefully {{ input }}', tags: [], expectVersion: 1 });
      const stale = store.updatePrompt(name, { template: 'Stale edit', tags: [], expectVersion: 1 });
      await expect(stale).rejects.toBeInstanceOf(StoreConflict);
      await expect(stale).rejects.toThrow(/version 2.*version 1/);
      expect((await store.getPrompt(name))?.template).toBe('Review carefully {{ input }}');
    });

    it('gives concurrent edits distinct versions', async () => {
      const name = uname('busy');
      await store.createPrompt({ name, template: 'start', tags: [] });
      const saved = await Promise.all(Array.from({ length: 6 }, (_, i) => store.updatePrompt(name, { template: `edit ${i}`, tags: [] })));
      expect(saved.map((v) => v?.version).sort()).toEqual([2, 3, 4, 5, 6, 7]);
      expect((await store.getPrompt(name))?.latestVersion).toBe(7);
    });

    it('restores an old version as a new one, through an update with its content', async () => {
      const name = uname('tone');
      await store.createPrompt({ name, template: 'Be warm.', description: 'Tone', tags: ['role'] });
      await store.updatePrompt(name, { template: 'Be terse.', tags: ['safety'] });
      const old = (await store.getPromptVersion(name, 1))!;
      const restored = await store.updatePrompt(name, { ...old, note: 'Restored version 1', expectVersion: 2 });
      expect(restored).toMatchObject({ version: 3, template: 'Be warm.', description: 'Tone', tags: ['role'], note: 'Restored version 1' });
      expect(await store.getPrompt(name)).toMatchObject({ latestVersion: 3, template: 'Be warm.' });
    });

    it('deletes a prompt from the library, keeps its versions for pinned runs, and numbers on when the name is used again', async () => {
      const word = uword();
      const name = uname('gone');
      await store.createPrompt({ name, template: `Old text ${word}`, tags: ['escalation'] });
      await store.updatePrompt(name, { template: `Old text two ${word}`, tags: ['escalation'] });
      expect(await store.deletePrompt(name)).toBe(true);
      expect(await store.deletePrompt(name)).toBe(false);
      expect(await store.deletePrompt(uname('none'))).toBe(false);
      expect(await store.getPrompt(name)).toBeUndefined();
      expect(await mine([name])).toEqual([]);
      expect(await mine([name], { q: word })).toEqual([]);
      expect(await store.listPromptVersions(name)).toEqual([]);
      expect(await store.updatePrompt(name, { template: 'x', tags: [] })).toBeUndefined();
      expect((await store.getPromptVersion(name, 2))?.template).toBe(`Old text two ${word}`);

      const again = await store.createPrompt({ name, template: 'New life', tags: [] });
      expect(again.version).toBe(3);
      expect(await store.getPrompt(name)).toMatchObject({ latestVersion: 3, template: 'New life' });
      expect(await mine([name])).toEqual([name]);
      // The search follows the latest version: the old words no longer find it.
      expect(await mine([name], { q: word })).toEqual([]);
      expect(await mine([name], { q: 'new life' })).toEqual([name]);
    });

    it('lists newest first and filters by exact tag', async () => {
      const a = uname('tag-a');
      const b = uname('tag-b');
      await store.createPrompt({ name: a, template: 'A', tags: ['review', 'approval'] });
      await tick();
      await store.createPrompt({ name: b, template: 'B', tags: ['reviewer'] });
      expect(await mine([a, b])).toEqual([b, a]);
      expect(await mine([a, b], { tag: 'review' })).toEqual([a]);
      expect(await mine([a, b], { tag: 'reviewer' })).toEqual([b]);
      expect(await mine([a, b], { tag: 'rev' })).toEqual([]);
      expect(await mine([a, b], { tag: ' Review ' })).toEqual([a]);
      await tick();
      await store.updatePrompt(a, { template: 'A2', tags: ['approval'] });
      // The filter reads the latest version's tags; an edit also moves the prompt to the top.
      expect(await mine([a, b], { tag: 'review' })).toEqual([]);
      expect(await mine([a, b])).toEqual([a, b]);
      expect((await store.listPrompts({ limit: 1 })).length).toBe(1);
    });

    it('ranks a prompt named for the searched word above one that mentions it once in its text', async () => {
      const word = uword();
      const named = uname(`case-${word}`);
      const mentioned = uname('long');
      const filler = 'Read the message and the account history, then decide what to do next and explain why. '.repeat(6);
      // The text-only match is created last: it would come first if the order were by date.
      await store.createPrompt({ name: named, template: 'Decide what the customer needs.', tags: [] });
      await store.createPrompt({ name: mentioned, template: `${filler} If it is about ${word}, say so. ${filler}`, tags: [] });
      expect(await mine([named, mentioned], { q: word })).toEqual([named, mentioned]);

      // A name that starts with the search comes first of all, also while the word is half typed.
      const starts = `${word}-first-${randomBytes(3).toString('hex')}`;
      await store.createPrompt({ name: starts, template: 'Nothing else here.', tags: [] });
      expect(await mine([named, mentioned, starts], { q: word })).toEqual([starts, named, mentioned]);
      expect(await mine([named, mentioned, starts], { q: word.slice(0, 6) })).toEqual([starts, named, mentioned]);
      // A tag match counts, and the tag filter narrows a search.
      const tagged = uname('tagged');
      await store.createPrompt({ name: tagged, template: 'Plain.', tags: [word, 'summary'] });
      expect(await mine([named, mentioned, starts, tagged], { q: word, tag: 'summary' })).toEqual([tagged]);
    });

    it('matches every word, the last as a prefix, and marks the match in the snippet', async () => {
      const word = uword();
      const name = uname('triage-classifier');
      await store.createPrompt({
        name,
        description: 'Sorts incoming tickets',
        template: `You sort support tickets. Put each ${word} ticket in a queue: billing, bugs or other.`,
        tags: ['classification'],
      });
      const [hit] = (await store.listPrompts({ q: `queue ${word.slice(0, 7)}` })).filter((p) => p.name === name);
      expect(hit?.snippet).toContain(`«${word}»`);
      expect(hit?.snippet).toMatch(/«queue»/);
      expect(await mine([name], { q: `${word} nosuchwordanywhere` })).toEqual([]);
      // Typing the start of a name finds it.
      expect(await mine([name], { q: name.slice(0, name.length - 3) })).toEqual([name]);
      expect(await mine([name], { q: 'triage' })).toEqual([name]);
    });

    it('reads any typed text as words, never as query syntax', async () => {
      const word = uword();
      const name = uname('hostile');
      await store.createPrompt({ name, template: `Say ${word} and "quote" (parens) AND/OR NOT * : | & ! 100%`, tags: [] });
      const hostile = ['"', '""', "'", 'AND (', 'OR', 'NOT', '(', ')', '*', '-', ':', '^', 'NEAR(a b, 2)', 'a:*|!b', "it's", '\\', '%', '_', '%_%', 'name:x', '{', '[', '«', ' ', '\u0000', 'x'.repeat(400), `${word} AND (`, `"${word}`, `${word}*`, `-${word}`];
      for (const q of hostile) {
        await expect(store.listPrompts({ q }), `q = ${JSON.stringify(q)}`).resolves.toBeInstanceOf(Array);
      }
      expect(await mine([name], { q: `"${word}` })).toEqual([name]);
      expect(await mine([name], { q: `${word} AND (` })).toEqual([name]);
      expect(await mine([name], { q: '100%' })).toEqual([name]);
      expect(await mine([name], { tag: "x' or 1=1 --" })).toEqual([]);
    });

    it('exports every prompt with all its versions and imports a file without repeating what is there', async () => {
      const kept = uname('kept');
      const grown = uname('grown');
      await store.createPrompt({ name: kept, template: 'Kept {{ a }}', tags: ['role'], note: 'first', author: 'ada' });
      await store.createPrompt({ name: grown, template: 'Grown v1', tags: [] });
      await store.updatePrompt(grown, { template: 'Grown v2', tags: [] });

      const exported = await store.exportPrompts();
      const keptEntry = exported.find((p) => p.name === kept)!;
      expect(keptEntry.versions).toEqual([{ version: 1, template: 'Kept {{ a }}', tags: ['role'], note: 'first', author: 'ada', createdAt: expect.any(String) }]);
      expect(exported.find((p) => p.name === grown)!.versions.map((v) => v.template)).toEqual(['Grown v1', 'Grown v2']);

      const fresh = uname('fresh');
      const result = await store.importPrompts([
        keptEntry,
        { name: grown, versions: [{ version: 1, template: 'Grown v1', tags: [], createdAt: '2026-01-01T00:00:00.000Z' }, { version: 3, template: 'Grown v3', tags: ['review'], note: 'from elsewhere', createdAt: '2026-01-02T00:00:00.000Z' }] },
        {
          name: fresh,
          versions: [
            { version: 9, template: 'Fresh second', tags: [], createdAt: '2026-02-02T00:00:00.000Z' },
            { version: 4, template: 'Fresh first', description: 'new', tags: ['summary'], note: 'began', author: 'cy', createdAt: '2026-02-01T00:00:00.000Z' },
          ],
        },
      ]);
      expect(result).toEqual({ created: [fresh], updated: [grown], unchanged: [kept] });
      expect((await store.listPromptVersions(fresh)).map((v) => [v.version, v.note ?? null, v.author ?? null, v.createdAt])).toEqual([
        [2, null, null, '2026-02-02T00:00:00.000Z'],
        [1, 'began', 'cy', '2026-02-01T00:00:00.000Z'],
      ]);
      expect(await store.getPrompt(fresh)).toMatchObject({ latestVersion: 2, template: 'Fresh second' });
      expect(await store.getPrompt(grown)).toMatchObject({ latestVersion: 3, template: 'Grown v3', tags: ['review'] });
      expect((await store.getPrompt(kept))?.latestVersion).toBe(1);
      // The search index follows imports too.
      expect(await mine([fresh], { q: 'fresh second' })).toEqual([fresh]);

      // The same file again changes nothing.
      const again = await store.importPrompts((await store.exportPrompts()).filter((p) => [kept, grown, fresh].includes(p.name)));
      expect(again).toEqual({ created: [], updated: [], unchanged: [kept, grown, fresh].sort() });
    });

    it('keeps the prompt versions a run pinned with the run', async () => {
      const prompts: PromptPin[] = [
        { ref: 'triage-classifier@latest', name: 'triage-classifier', version: 4, nodeId: 'classify', field: 'prompt.ref' },
        { ref: 'support-tone@2', name: 'support-tone', version: 2, nodeId: 'classify', field: 'system.ref' },
      ];
      const run = runRecord({ prompts });
      await store.createRun(run);
      expect((await store.load(run.id))?.run.prompts).toEqual(prompts);
      expect((await store.getRun(run.id))?.prompts).toEqual(prompts);
      const listed = (await store.listRuns({ flowId: run.flow.id })).items;
      expect(listed.map((r) => r.prompts)).toEqual([prompts]);

      const plain = runRecord();
      await store.createRun(plain);
      expect((await store.load(plain.id))?.run).not.toHaveProperty('prompts');
      expect(await store.getRun(plain.id)).not.toHaveProperty('prompts');
    });
  });
}

/** A prompt name of this test's own. */
function uname(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A search word no other test uses: consonants only, so every tokenizer keeps it whole and no
 * stemmer (FTS5's porter, PostgreSQL's english) changes it or a prefix of it.
 */
function uword(): string {
  const letters = 'bcdfghjklmnpqrtvwxz';
  return `zq${[...randomBytes(8)].map((b) => letters[b % letters.length]).join('')}`;
}

/** Lets the clock move on, so that two writes have different times. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

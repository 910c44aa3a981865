import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Flow, FlowDetail, FlowSaved, Published } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import { ApiError } from '../src/api.js';
import { exportFileName, exportText } from '../src/flows/export-flow.js';
import { createUnderFreeId, duplicateFlow, exportFlow, renameFlow, slugsByFlow, type FlowsApi } from '../src/flows/flow-actions.js';
import { blankFlow } from '../src/flows/blank-flow.js';
import { cleanName, copyName, copyOf } from '../src/flows/flow-docs.js';
import { slugify, uniqueFlowId } from '../src/flows/flow-id.js';
import { describeProblem, readFlowImport } from '../src/flows/import-flow.js';

const triageText = readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8');
const triage = JSON.parse(triageText) as Flow;

describe('flow ids from names', () => {
  it('makes lowercase url-safe ids the flow format accepts', () => {
    expect(slugify('Support triage')).toBe('support-triage');
    expect(slugify('  Café: Réponses & Remboursements!  ')).toBe('cafe-reponses-remboursements');
    expect(slugify('2025 budget')).toBe('flow-2025-budget');
    expect(slugify('🙂 ✨')).toBe('flow');
    const long = slugify('a very long name '.repeat(10));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('-')).toBe(false);
    for (const name of ['Support triage', '2025 budget', '🙂', 'a very long name '.repeat(10)]) {
      expect(validateFlow(blankFlow(uniqueFlowId(name, [slugify(name)]), name)).ok).toBe(true);
    }
  });

  it('adds -2, -3 … when the id is taken', () => {
    expect(uniqueFlowId('Support triage', [])).toBe('support-triage');
    expect(uniqueFlowId('Support triage', ['support-triage'])).toBe('support-triage-2');
    expect(uniqueFlowId('Support triage', ['support-triage', 'support-triage-2'])).toBe('support-triage-3');
  });
});

describe('new flow documents', () => {
  it('a blank flow is an input wired to an output, with no problems, so it runs at once', () => {
    const doc = blankFlow('hello', 'Hello');
    expect(doc).toMatchObject({ schema: 'trellis.flow/v1', id: 'hello', name: 'Hello' });
    expect(doc.nodes.map((n) => n.type)).toEqual(['input', 'output']);
    expect(doc.edges).toEqual([{ id: 'e1', source: 'input', sourceHandle: 'out', target: 'output', targetHandle: 'in' }]);
    expect(validateFlow(doc).problems).toEqual([]);
  });

  it('a copy keeps everything but the id and name, and shares nothing with the original', () => {
    const copy = copyOf(triage, 'support-triage-copy', copyName(triage.name));
    expect(copy.name).toBe('Support triage (copy)');
    expect(copy.id).toBe('support-triage-copy');
    expect({ ...copy, id: triage.id, name: triage.name }).toEqual(triage);
    copy.nodes[0]!.position.x = 9999;
    expect(triage.nodes[0]!.position.x).not.toBe(9999);
    expect(copyName('x'.repeat(200))).toHaveLength(200);
  });

  it('a typed name is trimmed, and an empty or overlong one is refused in words', () => {
    expect(cleanName('  My   flow ')).toEqual({ name: 'My flow' });
    expect(cleanName('   ')).toEqual({ error: 'Give the flow a name.' });
    expect(cleanName('x'.repeat(201))).toEqual({ error: expect.stringContaining('at most 200 characters') });
  });
});

describe('importing a flow file', () => {
  it('takes a valid file as written, under its own id when free', () => {
    const read = readFlowImport(triageText, new Set(['other']));
    expect(read).toEqual({ ok: true, document: triage, errors: 0, warnings: 0 });
  });

  it('gives a fresh id when the id is taken, and says which', () => {
    const read = readFlowImport(triageText, new Set(['support-triage', 'support-triage-2']));
    expect(read).toMatchObject({ ok: true, renamedFrom: 'support-triage', document: { id: 'support-triage-3', name: 'Support triage' } });
  });

  it('takes a flow whose graph has problems, and counts them', () => {
    const draft = { ...blankFlow('draft', 'Draft'), edges: [{ id: 'e1', source: 'input', sourceHandle: 'nope', target: 'output', targetHandle: 'in' }] };
    const read = readFlowImport(JSON.stringify(draft), new Set());
    expect(read).toMatchObject({ ok: true, document: { id: 'draft' } });
    // The unknown handle, and the output node no edge now reaches.
    expect(read.ok && read.errors).toBe(2);
  });

  it('refuses text that is not JSON, saying so', () => {
    const read = readFlowImport('{ "schema": "trellis.flow/v1", ', new Set());
    expect(read).toMatchObject({ ok: false, summary: 'it is not valid JSON' });
    expect(!read.ok && read.problems[0]).toMatch(/not valid JSON/);
  });

  it('refuses JSON that is not a flow', () => {
    expect(readFlowImport('{"hello": "world"}', new Set())).toMatchObject({ ok: false, summary: 'it is not a Trellis flow' });
    expect(readFlowImport('[1, 2]', new Set())).toMatchObject({ ok: false, summary: 'it is not a Trellis flow' });
  });

  it('lists every envelope problem with where it is', () => {
    const bad = { ...blankFlow('ok', 'x'), id: '9 lives', name: '', nodes: [{ id: 'input', type: 'input', position: { x: 'left', y: 0 }, config: {} }] };
    const read = readFlowImport(JSON.stringify(bad), new Set());
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.summary).toBe('it is not a valid Trellis flow (3 problems)');
    expect(read.problems).toEqual([
      expect.stringMatching(/^id: must start with a letter/),
      expect.stringMatching(/^name: must not be empty/),
      expect.stringMatching(/^node "input": position\.x: /),
    ]);
  });

  it('says a problem once, with its node or edge and path', () => {
    expect(describeProblem({ severity: 'error', code: 'unknown_handle', edgeId: 'e1', path: ['edges', 0, 'sourceHandle'], message: 'node "a" has no output "x"' })).toBe(
      'edge "e1" (at edges[0].sourceHandle): node "a" has no output "x"',
    );
    expect(describeProblem({ severity: 'error', code: 'no_input', path: ['nodes'], message: 'the flow has no input node' })).toBe('at nodes: the flow has no input node');
    expect(describeProblem({ severity: 'error', code: 'invalid_json', path: [], message: 'this is not valid JSON' })).toBe('this is not valid JSON');
  });
});

describe('exporting', () => {
  it('is the pretty-printed document in <id>.flow.json', () => {
    expect(exportFileName('support-triage')).toBe('support-triage.flow.json');
    const text = exportText(triage);
    expect(JSON.parse(text)).toEqual(triage);
    expect(text).toContain('\n  "id": "support-triage",\n');
    expect(text.endsWith('}\n')).toBe(true);
  });
});

/** A runner's flows in memory, answering like the API does. */
function fakeApi(initial: Flow[]) {
  const flows = new Map(initial.map((doc) => [doc.id, { doc, version: 1 }]));
  const calls: string[] = [];
  const detail = (id: string): FlowDetail => {
    const f = flows.get(id)!;
    return { id, name: f.doc.name, latestVersion: f.version, createdAt: '', updatedAt: '', document: structuredClone(f.doc), problems: [] };
  };
  /** What a save answers: the version made, not the document. */
  const saved = (id: string): FlowSaved => {
    const f = flows.get(id)!;
    return { id, name: f.doc.name, version: f.version, updatedAt: '', problems: [] };
  };
  const api: FlowsApi = {
    getFlow: async (id) => {
      calls.push(`GET ${id}`);
      if (!flows.has(id)) throw new ApiError(404, 'not_found', `there is no flow "${id}"`);
      return detail(id);
    },
    createFlow: async (doc) => {
      calls.push(`POST ${doc.id}`);
      if (flows.has(doc.id)) throw new ApiError(409, 'already_exists', `flow "${doc.id}" already exists`);
      flows.set(doc.id, { doc, version: 1 });
      return saved(doc.id);
    },
    saveFlow: async (id, doc, expectVersion) => {
      calls.push(`PUT ${id} expect ${expectVersion}`);
      const f = flows.get(id)!;
      if (expectVersion !== undefined && expectVersion !== f.version) throw new ApiError(409, 'version_conflict', `flow "${id}" is at version ${f.version}`);
      flows.set(id, { doc, version: f.version + 1 });
      return saved(id);
    },
  };
  return { api, flows, calls };
}

describe('flow actions against the API', () => {
  it('renames by saving a new version of the latest document, guarded by its version', async () => {
    const { api, flows, calls } = fakeApi([triage]);
    const saved = await renameFlow(api, 'support-triage', 'Helpdesk');
    expect(saved).toMatchObject({ id: 'support-triage', name: 'Helpdesk', version: 2 });
    expect(flows.get('support-triage')!.doc).toEqual({ ...triage, name: 'Helpdesk' });
    expect(calls).toEqual(['GET support-triage', 'PUT support-triage expect 1']);
  });

  it('duplicates as "<name> (copy)" under a free id', async () => {
    const { api, flows } = fakeApi([triage]);
    const first = await duplicateFlow(api, 'support-triage', ['support-triage']);
    expect(first).toMatchObject({ id: 'support-triage-copy', name: 'Support triage (copy)' });
    const second = await duplicateFlow(api, 'support-triage', [...flows.keys()]);
    expect(second.id).toBe('support-triage-copy-2');
    expect(flows.get('support-triage-copy-2')!.doc.nodes).toEqual(triage.nodes);
  });

  it('takes the next id when someone else took the chosen one meanwhile', async () => {
    const { api, calls } = fakeApi([blankFlow('hello', 'Hello'), blankFlow('hello-2', 'Hello')]);
    const saved = await createUnderFreeId(api, blankFlow('hello', 'Hello'), []);
    expect(saved.id).toBe('hello-3');
    expect(calls).toEqual(['POST hello', 'POST hello-2', 'POST hello-3']);
  });

  it('passes on every other error, in the runner\'s words', async () => {
    const { api } = fakeApi([]);
    await expect(duplicateFlow(api, 'gone', [])).rejects.toThrow('there is no flow "gone"');
  });

  it('exports the latest version', async () => {
    const { api } = fakeApi([triage]);
    await renameFlow(api, 'support-triage', 'Helpdesk');
    const file = await exportFlow(api, 'support-triage');
    expect(file).toMatchObject({ fileName: 'support-triage.flow.json', version: 2 });
    expect(JSON.parse(file.text)).toMatchObject({ id: 'support-triage', name: 'Helpdesk' });
  });

  it('groups published slugs by flow', () => {
    const p = (slug: string, flowId: string): Published => ({ slug, flowId, version: 1, cors: null, createdAt: '', url: `/v1/flows/${slug}` });
    expect(slugsByFlow([p('a', 'x'), p('b', 'y'), p('c', 'x')])).toEqual(
      new Map([
        ['x', ['a', 'c']],
        ['y', ['b']],
      ]),
    );
  });
});

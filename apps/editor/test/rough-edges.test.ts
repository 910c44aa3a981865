import { readFileSync } from 'node:fs';
import { kinds, type FieldHint } from '@trellis/nodes';
import { diffFlows, FLOW_SCHEMA_V1, Flow as FlowSchema, handleProblem, type Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { cleanName } from '../src/flows/flow-docs.js';
import { fieldLabel, flowFieldLabel } from '../src/history/history-model.js';
import { switchSource } from '../src/inspector/prompt-ref/prompt-ref-model.js';
import { promptNameProblem } from '../src/prompts/name-check.js';
import { shortRunId } from '../src/run/describe.js';
import { createFlowStore } from '../src/store/flow-store.js';

const example = (id: string) => JSON.parse(readFileSync(new URL(`../../../examples/${id}.flow.json`, import.meta.url), 'utf8')) as Flow;

/** Issue 13's rough edges in the editor, each pinned by a test. */
describe('short run ids', () => {
  it('tell apart runs started in the same millisecond (uuid v7 shares its time prefix)', () => {
    // Two v7 ids of one millisecond: the same 48-bit time prefix, different random tails.
    const a = '019af3c2-7b10-7a3e-9c41-5d2e8f0a1b2c';
    const b = '019af3c2-7b10-7f01-8aa7-03c94e7d6e55';
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
    expect(shortRunId(a)).toBe('8f0a1b2c');
    expect(shortRunId(b)).toBe('4e7d6e55');
    expect(shortRunId(a)).not.toBe(shortRunId(b));
    expect(shortRunId('run-1')).toBe('run-1');
  });
});

describe('undo on a freshly opened flow', () => {
  it('has nothing to undo after opening, after load, or after the canvas writes back what is there', () => {
    const store = createFlowStore(example('support-triage'), 4);
    expect(store.getState().canUndo()).toBe(false);
    const doc = store.getState().document;
    // What a canvas and forms do as they mount: positions, sizes and configs written back unchanged.
    store.getState().moveNodes(Object.fromEntries(doc.nodes.map((n) => [n.id, n.position])), { final: true });
    for (const node of doc.nodes) store.getState().updateNode(node.id, { config: structuredClone(node.config) });
    expect(store.getState().canUndo()).toBe(false);
    expect(store.getState().dirty).toBe(false);

    store.getState().renameFlow('Something else');
    expect(store.getState().canUndo()).toBe(true);
    store.getState().load(example('research-agent'), 1);
    expect(store.getState().canUndo()).toBe(false);
    expect(store.getState().canRedo()).toBe(false);
  });

  it('forgets every step when the editor says the canvas has settled', () => {
    const store = createFlowStore(example('support-triage'), 4);
    store.getState().renameFlow('Measured');
    store.getState().clearHistory();
    expect(store.getState().canUndo()).toBe(false);
    expect(store.getState().document.name).toBe('Measured');
  });
});

describe('flow settings in the store', () => {
  it('sets description, tags and vars as one undo step, normalising tags', () => {
    const store = createFlowStore(example('support-triage'), 4);
    const before = store.getState().document;
    const vars = { ...before.vars, greeting: 'Hello', limits: { refund: 50 } };
    delete (vars as Record<string, unknown>).statusPageUrl;
    expect(store.getState().setFlowSettings({ description: 'Sorts tickets.', tags: [' Support ', 'billing', 'support', 'Front Desk'], vars })).toBe(true);
    const after = store.getState().document;
    expect(after.description).toBe('Sorts tickets.');
    expect(after.tags).toEqual(['support', 'billing', 'front-desk']);
    expect(after.vars).toEqual(vars);
    expect(FlowSchema.safeParse(after).success).toBe(true);
    expect(store.getState().dirty).toBe(true);

    store.getState().undo();
    expect(store.getState().document.description).toBe(before.description);
    expect(store.getState().document.tags).toBeUndefined();
    expect(store.getState().document.vars).toEqual(before.vars);
    expect(store.getState().canUndo()).toBe(false);
  });

  it('removes emptied fields, and makes no step when nothing changed', () => {
    const store = createFlowStore(example('support-triage'), 4);
    const doc = store.getState().document;
    expect(store.getState().setFlowSettings({ description: doc.description ?? '', vars: doc.vars ?? {} })).toBe(false);
    expect(store.getState().canUndo()).toBe(false);
    store.getState().setFlowSettings({ description: '  ', tags: [], vars: {} });
    expect(store.getState().document).not.toHaveProperty('description');
    expect(store.getState().document).not.toHaveProperty('tags');
    expect(store.getState().document).not.toHaveProperty('vars');
  });

  it('the flow format bounds tags and refuses ones not normalised', () => {
    const base: Flow = { schema: FLOW_SCHEMA_V1, id: 'f', name: 'F', nodes: [], edges: [] };
    expect(FlowSchema.safeParse({ ...base, tags: ['support'] }).success).toBe(true);
    expect(FlowSchema.safeParse({ ...base, tags: ['Support'] }).success).toBe(false);
    expect(FlowSchema.safeParse({ ...base, tags: ['two words'] }).success).toBe(false);
    expect(FlowSchema.safeParse({ ...base, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }).success).toBe(false);
  });
});

describe('switching a prompt between inline text and the library', () => {
  const hint = kinds.get('prompt')!.fields.find((h) => h.path === 'prompt.template') as FieldHint;
  const inline = { template: 'Classify: {{ input.message }}' };
  const ref = { ref: 'triage-classifier@2' };

  it('gives back the inline text after a trip to the library, and the reference after a trip to inline', () => {
    // Inline → Library: nothing is written until a prompt is picked; the text is kept.
    const toLibrary = switchSource(hint, 'library', inline, {});
    expect(toLibrary.write).toBe(false);
    // The person picks triage-classifier@2 (the field now holds `ref`); back to inline restores the text.
    const back = switchSource(hint, 'inline', ref, toLibrary.memory, { ref: 'triage-classifier@2', text: 'Library text' });
    expect(back).toMatchObject({ write: true, value: inline });
    // And back to the library restores the reference.
    const again = switchSource(hint, 'library', inline, back.memory);
    expect(again).toMatchObject({ write: true, value: ref });
  });

  it('copies the library text in when the node had no inline text before', () => {
    const result = switchSource(hint, 'inline', ref, {}, { ref: 'triage-classifier@2', text: 'Library text' });
    expect(result).toMatchObject({ write: true, value: { template: 'Library text' } });
    if (result.write) expect(result.note).toMatch(/^Copied the text of triage-classifier@2/);
  });
});

describe('prompt and flow names follow one rule, in the same words', () => {
  it('says the same about an empty name, a long one and a bad handle', () => {
    expect(promptNameProblem('', [])).toBe('Give the prompt a name.');
    expect(cleanName('   ')).toEqual({ error: 'Give the flow a name.' });
    expect(handleProblem('flow', '')).toBe('Give the flow a name.');
    expect(promptNameProblem('x'.repeat(65), [])).toBe("A prompt's name is at most 64 characters (this one has 65).");
    expect(handleProblem('flow', 'x'.repeat(65))).toBe("A flow's name is at most 64 characters (this one has 65).");
    expect(promptNameProblem('Triage Classifier', [])).toBe('A prompt\'s name uses lowercase letters, digits, "-" and "_", starting with a letter: try “triage-classifier”.');
    expect(handleProblem('flow', 'Support Triage')).toBe('A flow\'s name uses lowercase letters, digits, "-" and "_", starting with a letter: try “support-triage”.');
    expect(promptNameProblem('2nd-try', [])).toMatch(/starting with a letter: try “prompt-2nd-try”/);
    expect(promptNameProblem('triage', ['triage'])).toBe('A prompt named “triage” exists already.');
    expect(promptNameProblem('triage_v2', [])).toBeUndefined();
  });
});

describe('history diff paths', () => {
  it('name list items by their label, never by array index', () => {
    const before = example('support-triage');
    const route = before.nodes.find((n) => n.type === 'condition')!;
    const branches = route.config.branches as { id: string; label?: string; when: string }[];
    const after: Flow = {
      ...before,
      nodes: before.nodes.map((n) => (n === route ? { ...n, config: { ...n.config, branches: branches.map((b, i) => (i === 0 ? { ...b, when: `${b.when} && true` } : b)) } } : n)),
    };
    const change = diffFlows(before, after).nodes.find((n) => n.id === route.id)!.config[0]!;
    expect(change.path).toBe('branches.0.when');
    expect(route.name).toBe('Routine?'); // the node's heading in the diff
    const name = branches[0]!.label ?? branches[0]!.id;
    expect(fieldLabel('condition', change.path, change.items)).toBe(`branch “${name}” › when`);
    // Without names, an item reads by its place, counted from 1.
    expect(fieldLabel('condition', 'branches.1.when')).toBe('branch 2 › when');
    expect(fieldLabel('guardrail', 'rules.0.pattern', { 'rules.0': 'No card numbers' })).toBe('rule “No card numbers” › pattern');
    expect(flowFieldLabel('tags')).toBe('Tags');
  });
});

import { describe, expect, it } from 'vitest';
import type { Flow } from '@trellis/schema';
import { layoutFlow, DEFAULT_NODE_SIZE } from '../src/canvas/layout.js';
import { SHORTCUTS, chordOf, shortcutFor } from '../src/canvas/shortcuts.js';

const key = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean; code: string }> = {}) => ({
  key,
  code: mods.code ?? '',
  ctrlKey: mods.ctrlKey ?? false,
  metaKey: mods.metaKey ?? false,
  shiftKey: mods.shiftKey ?? false,
  altKey: mods.altKey ?? false,
});

describe('auto-layout', () => {
  const flow: Pick<Flow, 'nodes' | 'edges'> = {
    nodes: ['in', 'a', 'b', 'join', 'out'].map((id) => ({ id, type: 'tool', position: { x: 0, y: 0 }, config: {} })),
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'a', targetHandle: 'in' },
      { id: 'e2', source: 'in', sourceHandle: 'out', target: 'b', targetHandle: 'in' },
      { id: 'e3', source: 'a', sourceHandle: 'out', target: 'join', targetHandle: 'in' },
      { id: 'e4', source: 'b', sourceHandle: 'out', target: 'join', targetHandle: 'in' },
      { id: 'e5', source: 'join', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      { id: 'dangling', source: 'join', sourceHandle: 'out', target: 'gone', targetHandle: 'in' },
    ],
  };

  it('places every node left of the nodes it feeds, and parallel branches apart', () => {
    const at = layoutFlow(flow);
    expect(Object.keys(at).sort()).toEqual(['a', 'b', 'in', 'join', 'out']);
    for (const e of flow.edges.filter((e) => e.target !== 'gone')) expect(at[e.source]!.x).toBeLessThan(at[e.target]!.x);
    expect(at.a!.x).toBe(at.b!.x);
    expect(Math.abs(at.a!.y - at.b!.y)).toBeGreaterThanOrEqual(DEFAULT_NODE_SIZE.height);
  });

  it('uses measured sizes so wide nodes do not overlap', () => {
    const wide = new Map([['a', { width: 600, height: 72 }]]);
    const at = layoutFlow(flow, wide);
    expect(at.join!.x).toBeGreaterThanOrEqual(at.a!.x + 600);
  });
});

describe('keyboard shortcuts', () => {
  it('reads chords with Cmd as Ctrl and shifted digits by their key', () => {
    expect(chordOf(key('s', { ctrlKey: true }))).toBe('Ctrl+S');
    expect(chordOf(key('z', { metaKey: true, shiftKey: true }))).toBe('Ctrl+Shift+Z');
    expect(chordOf(key('!', { shiftKey: true, code: 'Digit1' }))).toBe('Shift+1');
    expect(chordOf(key('?', { shiftKey: true }))).toBe('?');
  });

  it('finds the command of each listed key, and nothing for other keys', () => {
    for (const s of SHORTCUTS) {
      for (const k of s.keys) {
        const parts = k.split('+');
        const main = parts.at(-1)!;
        const found = shortcutFor(key(main.length === 1 ? main.toLowerCase() : main, { ctrlKey: parts.includes('Ctrl'), shiftKey: parts.includes('Shift'), code: /^\d$/.test(main) ? `Digit${main}` : '' }));
        expect(found?.command, k).toBe(s.command);
      }
    }
    expect(shortcutFor(key('q', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(key('s'))).toBeUndefined();
  });
});

describe('a flow whose file leaves out the usual handles', () => {
  it('still refuses a wire that would close a cycle', async () => {
    const { createFlowStore } = await import('../src/store/flow-store.js');
    const store = createFlowStore({
      schema: 'trellis.flow/v1',
      id: 'short',
      name: 'Short handles',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'a', type: 'tool', position: { x: 200, y: 0 }, config: { tool: 'transform', expression: 'input' } },
        { id: 'b', type: 'tool', position: { x: 400, y: 0 }, config: { tool: 'transform', expression: 'input' } },
      ],
      // As a hand-written file may have them: no sourceHandle / targetHandle.
      edges: [
        { id: 'e1', source: 'in', target: 'a' },
        { id: 'e2', source: 'a', target: 'b' },
      ] as never,
    });
    const check = store.getState().canConnect({ source: 'b', sourceHandle: 'out', target: 'a', targetHandle: 'in' });
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('cycle') });
    expect(store.getState().dirty).toBe(false);
  });
});

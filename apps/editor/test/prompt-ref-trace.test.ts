import { FLOW_SCHEMA_V1, type Flow, type RunEvent } from '@trellis/schema';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/api.js';
import { applyEvent, emptyTrace } from '../src/run/trace.js';
import { TraceView } from '../src/run/TraceView.js';

const flow: Flow = {
  schema: FLOW_SCHEMA_V1,
  id: 'triage',
  name: 'Triage',
  nodes: [{ id: 'classify', type: 'prompt', name: 'Classify ticket', position: { x: 0, y: 0 }, config: { prompt: { ref: 'triage-classifier@latest' } } }],
  edges: [],
};
const pin = { ref: 'triage-classifier@latest', name: 'triage-classifier', version: 4, nodeId: 'classify', field: 'prompt.ref' };
const started = { runId: 'r1', seq: 1, ts: '2026-01-01T00:00:00Z', type: 'run.started', data: { flowId: 'triage', flowVersion: 3, input: {}, prompts: [pin] } } as unknown as RunEvent;

describe('a run’s trace names the versions it used', () => {
  it('keeps the flow version and the prompt pins run.started recorded', () => {
    const trace = applyEvent(emptyTrace(), started);
    expect(trace.flowVersion).toBe(3);
    expect(trace.prompts).toEqual([pin]);
    // A run of a flow without library prompts has none.
    const plain = applyEvent(emptyTrace(), { ...started, data: { flowId: 'triage', flowVersion: 1, input: {} } } as RunEvent);
    expect(plain.prompts).toBeUndefined();
  });

  it('shows them in the trace header, by node name', () => {
    const trace = applyEvent(emptyTrace(), started);
    const html = renderToStaticMarkup(
      createElement(TraceView, { api: {} as ApiClient, runId: 'r1-abcdef', trace, flow, savedVersion: 3, dirty: false, onSelectNode: () => {} }),
    );
    expect(html).toContain('flow version 3');
    expect(html).toContain('aria-label="Library prompts used"');
    expect(html).toContain('Classify ticket (prompt.ref): <code>triage-classifier@latest</code> → version 4');
  });
});

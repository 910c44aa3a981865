import { readFileSync } from 'node:fs';
import type { Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { givenScope, readsOf, startingScope, upstreamOf } from '../src/run/step-scope';
import { emptyTrace, type Trace } from '../src/run/trace';

const triage = JSON.parse(readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8')) as Flow;

describe('the scope "Test this step" starts from', () => {
  it('knows which upstream outputs a step reads (not its attached tools)', () => {
    expect(readsOf(triage, 'route')).toEqual(['classify']);
    expect(upstreamOf(triage, 'route').has('in')).toBe(true);
    expect(upstreamOf(triage, 'investigate').has('lookup_account')).toBe(false);
  });

  it("starts from the sample input, with a blank for each output the step reads, and the sample's mocks", () => {
    const start = startingScope(triage, 'route', undefined);
    expect(start.source).toBe('sample');
    expect(start.scope.input).toEqual(triage.samples![0]!.input);
    expect(start.scope.nodes).toEqual({ classify: null });
    expect(start.mocks).toBe(triage.samples![0]!.mocks);
  });

  it("starts from the last run's input and upstream outputs when there is a run", () => {
    const trace: Trace = {
      ...emptyTrace(),
      input: { message: 'hi' },
      steps: [
        { nodeId: 'classify', status: 'succeeded', attempt: 1, output: { category: 'billing' }, text: '', tools: [], retries: [], answers: [] },
        { nodeId: 'draft_reply', status: 'succeeded', attempt: 1, output: 'downstream', text: '', tools: [], retries: [], answers: [] },
      ],
    };
    const start = startingScope(triage, 'route', trace);
    expect(start).toMatchObject({ source: 'last run', scope: { input: { message: 'hi' }, nodes: { classify: { category: 'billing' } } } });
    expect(start.scope.nodes).not.toHaveProperty('draft_reply');
  });

  it('sends a blank left null as not given, so the runner names it', () => {
    expect(givenScope({ input: {}, nodes: { classify: null, other: 0 } }).nodes).toEqual({ other: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { gateDraft, gateOf } from '../src/flows/GateSettings';

describe('the publish gate in the flow settings', () => {
  it('round-trips a gate through the draft the dialog edits', () => {
    const gate = { cases: true, experiment: { dataset: 'routes', scorers: [{ type: 'exact' as const, id: 'route', path: 'route' }], minScore: 0.8, maxDrop: 0.05 } };
    expect(gateOf(gateDraft(gate))).toEqual({ gate });
    expect(gateOf(gateDraft(undefined))).toEqual({ gate: {} });
    expect(gateOf({ ...gateDraft(undefined), cases: true })).toEqual({ gate: { cases: true } });
  });

  it('names what is wrong with an experiment gate', () => {
    const draft = { ...gateDraft(undefined), dataset: 'routes' };
    expect(gateOf(draft)).toEqual({ error: 'Give a minimum score, a largest drop, or both: otherwise the experiment gates nothing' });
    expect(gateOf({ ...draft, minScore: '1.5' })).toEqual({ error: 'The minimum score must be a number from 0 to 1' });
    expect(gateOf({ ...draft, minScore: '0.5', scorers: '[{"type":"vibes"}]' })).toMatchObject({ error: expect.stringMatching(/^Scorer 1: /) });
    expect(gateOf({ ...draft, maxDrop: '0.1', scorers: '[' })).toMatchObject({ error: expect.stringMatching(/^The scorers are not valid JSON/) });
  });
});

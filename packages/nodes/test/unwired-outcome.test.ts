/** Issue 13: an outcome (Rejected, Fail, Timeout) with nothing wired is a warning, since a run taking it would end quietly. */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../src/index.js';
import { edge, flow } from '@trellis/test-support/flows';

const gated = (kind: Record<string, unknown>, wired: string[]) =>
  flow(
    [{ id: 'in', type: 'input', config: {} }, { id: 'gate', ...kind }, ...wired.map((handle) => ({ id: `to_${handle}`, type: 'output', config: { value: handle } }))],
    [edge('e0', 'in', 'gate'), ...wired.map((handle) => edge(`e_${handle}`, 'gate', `to_${handle}`, handle))],
    { id: 'f', name: 'F' },
  );
const warnings = (doc: unknown) => validateFlow(doc).problems.filter((p) => p.code === 'unwired_outcome');

describe('outcomes with nothing wired', () => {
  it('warns on an approval with nothing on Rejected, and not once it is wired', () => {
    const approval = { type: 'approval', config: { message: 'OK?' } };
    const result = validateFlow(gated(approval, ['approved']));
    expect(result.ok).toBe(true);
    expect(warnings(gated(approval, ['approved']))).toEqual([
      expect.objectContaining({ severity: 'warning', nodeId: 'gate', message: expect.stringContaining('nothing is wired to Rejected') }),
    ]);
    expect(warnings(gated(approval, ['approved', 'rejected']))).toEqual([]);
  });

  it("warns on a guardrail's Fail and a question's Timeout (only when the timeout routes)", () => {
    expect(warnings(gated({ type: 'guardrail', config: { value: '{{ input.text }}', rules: [{ type: 'secrets', action: 'block' }] } }, ['pass']))).toEqual([
      expect.objectContaining({ message: expect.stringContaining('nothing is wired to Fail') }),
    ]);
    const question = (config: Record<string, unknown>) => ({ type: 'human-input', config: { question: 'Which?', ...config } });
    expect(warnings(gated(question({ timeoutMs: 60_000 }), ['answered']))).toEqual([expect.objectContaining({ message: expect.stringContaining('nothing is wired to Timeout') })]);
    expect(warnings(gated(question({ timeoutMs: 60_000, onTimeout: 'fail' }), ['answered']))).toEqual([]);
    expect(warnings(gated(question({}), ['answered']))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { guardrailRules } from '@trellis/nodes';
import type { RunEvent } from '@trellis/schema';
import { describeAgentGuardrail, describeGuardrail } from '../src/run/describe.js';
import { applyEvent, emptyTrace } from '../src/run/trace.js';
import { changeType, newRule, parseNumber, parseTerms, PII_ENTITIES, readRules, RULE_TYPES, ruleName, ruleProblems, setField, termsText, toggleEntity } from '../src/inspector/guardrail-rules.js';

describe("the guardrail rules' form logic", () => {
  it('adds a valid rule of every type', () => {
    for (const type of RULE_TYPES) {
      const rule = newRule(type);
      expect(ruleProblems(rule), type).toEqual([]);
      expect(guardrailRules.GuardrailRule.safeParse(rule).success, type).toBe(true);
    }
  });

  it('reads a half-edited list without throwing', () => {
    expect(readRules(undefined)).toEqual([]);
    expect(readRules([null, { type: 'pii' }, { label: 'x' }, 'junk'])).toEqual([{ type: '' }, { type: 'pii' }, { label: 'x', type: '' }, { type: '' }]);
  });

  it('changes a rule type, keeping only its label', () => {
    const rule = { ...newRule('regex'), label: 'No SQL' };
    expect(changeType(rule, 'length')).toEqual({ type: 'length', max: 10_000, unit: 'characters', label: 'No SQL' });
    expect(changeType(newRule('regex'), 'secrets')).toEqual({ type: 'secrets', action: 'block' });
  });

  it('removes an emptied optional field', () => {
    expect(setField({ type: 'regex', pattern: 'x', replacement: '#' }, 'replacement', '')).toEqual({ type: 'regex', pattern: 'x' });
    expect(setField({ type: 'length', min: 2, max: 3 }, 'min', undefined)).toEqual({ type: 'length', max: 3 });
  });

  it('ticks kinds of personal data in their usual order', () => {
    const none = toggleEntity({ type: 'pii', entities: ['email'] }, 'email', false);
    expect(none.entities).toEqual([]);
    expect(ruleProblems(none)).toEqual(['entities: pick at least one kind of personal data']);
    expect(toggleEntity(toggleEntity(none, 'ip', true), 'email', true).entities).toEqual(['email', 'ip']);
    expect(toggleEntity({ type: 'pii' }, 'phone', false).entities).toEqual(PII_ENTITIES.filter((e) => e !== 'phone'));
  });

  it('reads terms one a line and numbers as typed', () => {
    expect(parseTerms(' refund \n\n chargeback\n')).toEqual(['refund', 'chargeback']);
    expect(termsText({ type: 'terms', terms: ['a', 'b'] })).toBe('a\nb');
    expect(parseNumber('')).toEqual({ ok: true, value: undefined });
    expect(parseNumber('0.8')).toEqual({ ok: true, value: 0.8 });
    expect(parseNumber('lots')).toEqual({ ok: false });
  });

  it('names each problem as the loader will', () => {
    expect(ruleProblems({ type: 'regex', pattern: '(?<=\\$)\\d+' })).toEqual(['lookarounds and backreferences are not supported (patterns run on RE2, in linear time)']);
    expect(ruleProblems({ type: 'model', check: 'off_topic' })).toEqual(['say what the text should be about']);
    expect(ruleProblems({ type: 'length', min: 9, max: 3 })).toEqual(['min: the minimum is above the maximum']);
    expect(ruleProblems({ type: 'teleport' })).toEqual(['unknown rule type "teleport"']);
  });

  it('names a rule by its label or by what it checks', () => {
    expect(ruleName({ type: 'secrets' })).toBe('secrets and API keys');
    expect(ruleName({ type: 'terms', terms: ['a', 'b'], label: 'Profanity' })).toBe('Profanity');
    expect(ruleName({ type: 'regex', pattern: '' })).toBe('Regex (allow, deny, redact)');
  });
});

describe("a guardrail's decision in the trace", () => {
  it('says where it failed and what each rule found, masked as the runner sent it', () => {
    const decision = {
      passed: false,
      redactions: 1,
      verdicts: [
        { rule: 0, type: 'pii', title: 'personal data (email)', passed: true, outcome: 'redacted', found: 1, spans: [{ kind: 'email', start: 5, end: 20, shown: '•••@•••••••.•••' }] },
        { rule: 1, type: 'model', title: 'prompt injection (model)', passed: false, outcome: 'failed', score: 0.93, threshold: 0.7, reason: 'Asks to ignore the rules.' },
        { rule: 2, type: 'length', title: 'length 0–100 characters', passed: false, outcome: 'skipped' },
      ],
    };
    expect(describeGuardrail(decision)).toBe(
      'Failed at "prompt injection (model)" (1 redacted). personal data (email): redacted 1 (•••@•••••••.•••) · prompt injection (model): failed, score 0.93 (fails at 0.7): Asks to ignore the rules. · length 0–100 characters: skipped',
    );
    expect(describeGuardrail({ branch: 'else', evaluated: [] })).toBeUndefined();
  });
});

describe("an agent's guardrail checks in the trace", () => {
  it('keeps each check on the step and says what came of it', () => {
    let seq = 0;
    const ev = (e: Record<string, unknown>) => ({ runId: 'r', ts: '2026-01-01T00:00:00Z', seq: ++seq, nodeId: 'helper', ...e }) as unknown as RunEvent;
    const verdicts = [{ rule: 0, type: 'pii', title: 'personal data (email)', passed: false, outcome: 'blocked', found: 1, spans: [{ kind: 'email', start: 0, end: 15, shown: '•••@•••••••.•••' }] }];
    let trace = emptyTrace();
    for (const e of [
      ev({ type: 'node.started', data: { kind: 'agent', attempt: 1 } }),
      ev({ type: 'node.guardrail', data: { stage: 'output', attempt: 1, passed: false, redactions: 0, verdicts, then: 'retry' } }),
      ev({ type: 'node.guardrail', data: { stage: 'output', attempt: 2, passed: true, redactions: 0, verdicts: [{ ...verdicts[0], passed: true, outcome: 'passed', found: 0, spans: undefined }], then: 'continue' } }),
    ]) trace = applyEvent(trace, e);
    const checks = trace.steps[0]!.guardrails!;
    expect(checks.map((c) => [c.attempt, c.then])).toEqual([
      [1, 'retry'],
      [2, 'continue'],
    ]);
    expect(describeAgentGuardrail(checks[0]!)).toBe(
      'Output guardrail (answer 1): Failed at "personal data (email)". personal data (email): blocked 1 (•••@•••••••.•••) → asked to answer again.',
    );
    expect(describeAgentGuardrail(checks[1]!)).toBe('Output guardrail (answer 2): Passed. personal data (email): passed');
    expect(describeAgentGuardrail({ stage: 'input', attempt: 1, passed: false, redactions: 0, verdicts, then: 'fail' })).toMatch(/^Input guardrail: Failed at "personal data \(email\)"\. .* → the step failed\.$/);
  });
});

// Apart from the rules (and zod) so the editor's pages can put a decision in words without
// loading the node kinds: `@trellis/nodes/describe-guardrail`.

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A guardrail's decision (`{ passed, redactions, verdicts }`: the guardrail node's, or an agent's
 * guardrail check) in words: passed or where it failed, then each rule's verdict with what it
 * found (already masked), its score or its reason. Undefined for other decisions. The editor's
 * trace and the terminal's both show it.
 */
export function describeGuardrailDecision(decision: unknown): string | undefined {
  if (!isRecord(decision) || typeof decision.passed !== 'boolean' || !Array.isArray(decision.verdicts)) return undefined;
  const verdicts = decision.verdicts.filter(isRecord);
  const failed = verdicts.find((v) => v.outcome !== 'skipped' && v.passed === false);
  const redactions = typeof decision.redactions === 'number' && decision.redactions > 0 ? ` (${decision.redactions} redacted)` : '';
  const head = decision.passed ? `Passed${redactions}.` : `Failed at "${String(failed?.title ?? '?')}"${redactions}.`;
  const parts = verdicts.map((v) => {
    const spans = Array.isArray(v.spans) ? v.spans.filter(isRecord).map((s) => String(s.shown)) : [];
    const found = typeof v.found === 'number' && v.found > 0 ? ` ${v.found}${spans.length ? ` (${spans.slice(0, 3).join(', ')}${v.found > 3 ? ', …' : ''})` : ''}` : '';
    const score = typeof v.score === 'number' ? `, score ${v.score}${typeof v.threshold === 'number' ? ` (fails at ${v.threshold})` : ''}` : '';
    const why = typeof v.reason === 'string' ? `: ${v.reason}` : typeof v.detail === 'string' ? `: ${v.detail}` : '';
    return `${String(v.title)}: ${String(v.outcome)}${found}${score}${why}`;
  });
  return `${head} ${parts.join(' · ')}`;
}

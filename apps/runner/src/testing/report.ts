// What `trellis test` prints: a readable report (a diff under each failed comparison), or the
// same results as JSON or JUnit XML for CI.
import { diffLines } from 'diff';
import type { CaseReport } from '@trellis/schema';
import { describeAssertion, type AssertionResult } from './assertions.js';
import type { CaseResult } from './run-case.js';

export interface FlowResult {
  /** The file the flow came from. */
  file: string;
  flowId: string;
  cases: CaseResult[];
  /** Why the flow's cases could not run at all (its file is not a valid flow). */
  error?: string;
}

export interface Totals {
  flows: number;
  cases: number;
  passed: number;
  failed: number;
  durationMs: number;
}

export function totalsOf(flows: readonly FlowResult[], durationMs: number): Totals {
  const cases = flows.flatMap((f) => f.cases);
  const broken = flows.filter((f) => f.error).length;
  const passed = cases.filter((c) => c.passed).length;
  return { flows: flows.length, cases: cases.length, passed, failed: cases.length - passed + broken, durationMs };
}

type Paint = (style: 'green' | 'red' | 'dim' | 'bold' | 'yellow', text: string) => string;

/** The report a person reads: each flow, each case with a mark, each failed check with why, and a diff of compared values. */
export function prettyReport(flows: readonly FlowResult[], totals: Totals, paint: Paint): string {
  const lines: string[] = [];
  for (const flow of flows) {
    lines.push(`${paint('bold', flow.flowId)} ${paint('dim', flow.file)}`);
    if (flow.error) {
      lines.push(`  ${paint('red', '✗')} ${flow.error}`, '');
      continue;
    }
    if (!flow.cases.length) lines.push(paint('dim', '  no test cases (add samples to the flow, or save a run as a case in the editor)'));
    for (const result of flow.cases) {
      const ms = paint('dim', `${Math.round(result.outcome.durationMs)} ms`);
      lines.push(`  ${result.passed ? paint('green', '✓') : paint('red', '✗')} ${result.name} ${ms}`);
      if (result.passed) continue;
      for (const failed of result.results.filter((r) => !r.passed)) {
        lines.push(`      ${paint('red', '•')} ${failed.message}${failed.assertion.note ? paint('dim', ` (${failed.assertion.note})`) : ''}`);
        lines.push(...diffOf(failed, paint).map((line) => `        ${line}`));
      }
    }
    lines.push('');
  }
  const summary = [`${totals.passed} passed`, totals.failed ? paint('red', `${totals.failed} failed`) : undefined].filter(Boolean).join(', ');
  lines.push(`${paint('bold', 'cases:')} ${summary} of ${totals.cases} in ${totals.flows} flow${totals.flows === 1 ? '' : 's'} ${paint('dim', `(${(totals.durationMs / 1000).toFixed(2)} s)`)}`);
  return `${lines.join('\n')}\n`;
}

/** The lines of a diff between what a check expected and what the run gave (- expected, + actual); none when there is nothing to compare. */
export function diffOf(result: Pick<AssertionResult, 'expected' | 'actual'>, paint: Paint): string[] {
  if (!('expected' in result) || !('actual' in result)) return [];
  const expected = pretty(result.expected);
  const actual = pretty(result.actual);
  // Short values on one line each: a diff of two words says less than the words.
  if (!expected.includes('\n') && !actual.includes('\n')) return [paint('green', `- expected ${expected}`), paint('red', `+ actual   ${actual}`)];
  const out: string[] = [paint('dim', '- expected  + actual')];
  for (const part of diffLines(expected, actual)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    const style = part.added ? 'red' : part.removed ? 'green' : 'dim';
    for (const line of part.value.replace(/\n$/, '').split('\n')) out.push(paint(style, `${mark} ${line}`));
  }
  // A long unchanged stretch is cut to its edges: the changes are what matter.
  return out.length > 60 ? [...out.slice(0, 58), paint('dim', `  … ${out.length - 58} more lines`)] : out;
}

function pretty(value: unknown): string {
  return value === undefined ? 'nothing' : (JSON.stringify(value, null, 2) ?? String(value));
}

/** A case's result as the API and the JSON report give it: how the run went, and each check. */
export function caseReport(c: CaseResult): CaseReport {
  return {
    name: c.name,
    passed: c.passed,
    status: c.outcome.status,
    durationMs: Math.round(c.outcome.durationMs),
    usage: c.outcome.usage,
    ...(c.outcome.output === undefined ? {} : { output: c.outcome.output }),
    ...(c.outcome.error ? { error: c.outcome.error } : {}),
    checks: c.results.map((r) => ({
      assertion: r.assertion,
      ...(r.index === undefined ? { implicit: true } : { index: r.index }),
      passed: r.passed,
      message: r.message,
      ...('expected' in r ? { expected: r.expected, actual: r.actual } : {}),
    })),
  };
}

/** The results as JSON: every case with each check, pass or fail. */
export function jsonReport(flows: readonly FlowResult[], totals: Totals): string {
  return `${JSON.stringify(
    {
      summary: totals,
      flows: flows.map((flow) => ({
        file: flow.file,
        flowId: flow.flowId,
        ...(flow.error ? { error: flow.error } : {}),
        cases: flow.cases.map(caseReport),
      })),
    },
    null,
    2,
  )}\n`;
}

/** The results as JUnit XML (one test suite a flow, one test case a case), as CI systems read it. */
export function junitReport(flows: readonly FlowResult[], totals: Totals): string {
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="trellis test" tests="${totals.cases}" failures="${totals.failed}" time="${seconds(totals.durationMs)}">`];
  for (const flow of flows) {
    const failures = flow.cases.filter((c) => !c.passed).length + (flow.error ? 1 : 0);
    const time = flow.cases.reduce((sum, c) => sum + c.outcome.durationMs, 0);
    out.push(`  <testsuite name="${xml(flow.flowId)}" file="${xml(flow.file)}" tests="${flow.cases.length}" failures="${failures}" time="${seconds(time)}">`);
    if (flow.error) out.push(`    <testcase name="(flow)" classname="${xml(flow.flowId)}"><failure message="${xml(flow.error)}"/></testcase>`);
    for (const c of flow.cases) {
      const open = `    <testcase name="${xml(c.name)}" classname="${xml(flow.flowId)}" time="${seconds(c.outcome.durationMs)}"`;
      if (c.passed) {
        out.push(`${open}/>`);
        continue;
      }
      const failed = c.results.filter((r) => !r.passed);
      const body = failed.map((r) => `${describeAssertion(r.assertion)}: ${r.message}${diffOf(r, (_s, t) => t).map((l) => `\n  ${l}`).join('')}`).join('\n');
      out.push(`${open}>`, `      <failure message="${xml(failed[0]?.message ?? 'failed')}" type="assertion">${xml(body)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Text safe inside an XML attribute or element: escaped, and without the control characters XML 1.0 forbids. */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- these are the characters removed
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

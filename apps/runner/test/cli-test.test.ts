import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';

/* `trellis test`, as a person and a CI job run it: exit codes, reports, and --update. */

const examples = fileURLToPath(new URL('../../../examples', import.meta.url));

/** A copy of the bundled examples to change, in a folder of its own. */
function examplesCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-test-'));
  cpSync(examples, dir, { recursive: true });
  return dir;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- flow files are edited field by field

function edit(file: string, change: (flow: Json) => void): void {
  const flow = JSON.parse(readFileSync(file, 'utf8')) as Json;
  change(flow);
  writeFileSync(file, `${JSON.stringify(flow, null, 2)}\n`);
}

describe('trellis test', () => {
  it('runs every case of the bundled examples offline and exits 0', async () => {
    const { code, stdout } = await trellis(['test', examples]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ refund-over-limit \d+ ms/);
    expect(stdout).toMatch(/cases: 16 passed of 16 in 5 flows/);
  });

  it('exits 1 on a failed case, with what was expected, what the run gave and a diff', async () => {
    const dir = examplesCopy();
    const file = join(dir, 'support-triage.flow.json');
    edit(file, (flow) => {
      const routine = flow.samples.find((s: Json) => s.name === 'routine-billing');
      routine.expect.push({ type: 'json_subset', value: { route: 'auto_reply', category: 'technical' }, note: 'changed on purpose' });
      routine.expect.push({ type: 'equals', path: 'customerId', value: 'cus_9999' });
    });
    const { code, stdout } = await trellis(['test', file]);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ routine-billing');
    expect(stdout).toContain('• the output differs: at category: expected "technical", got "billing" (changed on purpose)');
    expect(stdout).toContain('- expected  + actual');
    expect(stdout).toMatch(/-\s+"category": "technical"/);
    expect(stdout).toMatch(/\+\s+"category": "billing"/);
    expect(stdout).toContain('• output.customerId is not the expected value');
    expect(stdout).toContain('- expected "cus_9999"');
    expect(stdout).toContain('+ actual   "cus_1077"');
    expect(stdout).toMatch(/cases: 5 passed, 1 failed of 6 in 1 flow/);
  });

  it('writes JSON and JUnit reports for CI', async () => {
    const dir = examplesCopy();
    edit(join(dir, 'research-agent.flow.json'), (flow) => {
      flow.samples[0].expect.push({ type: 'tool_called', tool: 'fetch_url' });
    });
    const json = await trellis(['test', dir, '--reporter', 'json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Json;
    expect(report.summary).toMatchObject({ flows: 5, cases: 16, passed: 15, failed: 1 });
    const agent = report.flows.find((f: Json) => f.flowId === 'research-agent');
    expect(agent.cases[0]).toMatchObject({ name: 'with-sources', passed: false, status: 'succeeded' });
    expect(agent.cases[0].checks.at(-1)).toMatchObject({ passed: false, message: 'fetch_url was called 0 times, not at least once' });

    const out = join(dir, 'junit.xml');
    const junit = await trellis(['test', dir, '--reporter', 'junit', '--output', out]);
    expect(junit.code).toBe(1);
    // The terminal still gets the readable report; the file gets the XML.
    expect(junit.stderr).toContain('✗ with-sources');
    expect(junit.stderr).toContain(`wrote the junit report to ${out}`);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="trellis test" tests="16" failures="1"/);
    expect(xml).toContain('<testsuite name="research-agent"');
    expect(xml).toMatch(/<testcase name="with-sources" classname="research-agent" time="[\d.]+">\n\s+<failure message="fetch_url was called 0 times, not at least once" type="assertion">/);
    expect(xml).toContain('<testcase name="routine-billing" classname="support-triage"');
  });

  it('--update accepts the outputs the runs give, shows each change, and the next run passes', async () => {
    const dir = examplesCopy();
    const file = join(dir, 'support-handoffs.flow.json');
    edit(file, (flow) => {
      // An expectation that no longer holds, and a case that checks nothing of its output.
      flow.samples[0].expect.push({ type: 'equals', path: 'team', value: 'sales' });
      flow.samples[1].expect = flow.samples[1].expect.filter((a: Json) => !['json_subset', 'contains'].includes(a.type));
    });
    const failing = await trellis(['test', file]);
    expect(failing.code).toBe(1);

    const updated = await trellis(['test', file, '--update']);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain('↻ support-handoffs › billing-handoff: output.team updated');
    expect(updated.stderr).toContain('- expected "sales"');
    expect(updated.stderr).toContain('+ actual   "billing"');
    expect(updated.stderr).toContain('↻ support-handoffs › technical-handoff: now expects the output it gave');
    expect(updated.stderr).toContain(`updated 2 cases in ${file}`);
    const flow = JSON.parse(readFileSync(file, 'utf8')) as Json;
    expect(flow.samples[0].expect.at(-1)).toEqual({ type: 'equals', path: 'team', value: 'billing' });
    expect(flow.samples[1].expect.at(-1)).toMatchObject({ type: 'equals', value: { route: 'answered', team: 'technical' } });

    const again = await trellis(['test', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/cases: 4 passed of 4 in 1 flow/);
  });

  it('says what is wrong with a folder without flows, a path that does not exist, and a file that is not a flow', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'trellis-test-empty-'));
    const none = await trellis(['test', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no flow files (*.flow.json) in ${empty}`);
    const missing = await trellis(['test', join(empty, 'nope.flow.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.flow.json: no such file or folder');

    writeFileSync(join(empty, 'broken.flow.json'), '{ "schema": "trellis.flow/v1", ');
    const broken = await trellis(['test', empty]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/✗ .*broken\.flow\.json: this is not valid JSON/);
  });
});

describe('trellis eval and trellis compare', () => {
  /** The triage example's samples as JSONL rows expecting their route. */
  function rowsFile(dir: string): string {
    const flow = JSON.parse(readFileSync(join(examples, 'support-triage.flow.json'), 'utf8')) as Json;
    const routes: Record<string, string> = { 'routine-billing': 'auto_reply', 'unusual-technical': 'investigated', 'reply-held': 'held_for_review' };
    const lines = (flow.samples as Json[]).filter((s) => routes[s.name]).map((s) => JSON.stringify({ input: s.input, mocks: s.mocks, expected: { route: routes[s.name] } }));
    const path = join(dir, 'routes.jsonl');
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  it('scores a flow over a dataset file, writes the results, and compare names the rows a change regressed', async () => {
    const dir = examplesCopy();
    const rows = rowsFile(dir);
    const base = join(dir, 'base.json');
    const evaluated = await trellis(['eval', join(dir, 'support-triage.flow.json'), '--dataset', rows, '--scorers', '[{"type":"exact","id":"route","path":"route","expectedPath":"route"}]', '--output', base]);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(/^rows: 3 \(3 succeeded\) in [\d.]+ s$/m);
    expect(evaluated.stdout).toMatch(/^route\s+1\.000\s+100\.0%\s+0$/m);
    expect(JSON.parse(readFileSync(base, 'utf8'))).toMatchObject({ kind: 'trellis.eval/v1', summary: { rows: 3 }, rows: [{ index: 0, scores: { route: { score: 1 } } }, { index: 1 }, { index: 2 }] });

    edit(join(dir, 'support-triage.flow.json'), (flow) => {
      flow.nodes.find((n: Json) => n.id === 'route').config.branches[0].when = 'false';
    });
    const candidate = join(dir, 'candidate.json');
    const worse = await trellis(['eval', join(dir, 'support-triage.flow.json'), '--dataset', rows, '--scorers', '[{"type":"exact","id":"route","path":"route","expectedPath":"route"}]', '--output', candidate]);
    expect(worse.stdout).toContain('rows that did not pass:');
    expect(worse.stdout).toContain('row 1: route: expected "auto_reply", got "investigated"');

    const compared = await trellis(['compare', base, candidate, '--fail-on-regression']);
    expect(compared.code).toBe(1);
    expect(compared.stdout).toMatch(/^route\s+-0\.667$/m);
    expect(compared.stdout).toContain('0 rows improved, 2 regressed, 1 the same');
    expect(compared.stdout).toContain('↓ row 1: route 1 → route 0 (expected "auto_reply", got "investigated")');
    expect((await trellis(['compare', base, candidate])).code).toBe(0);
  });

  it('names the row and field of a dataset file it cannot use, and a scorer it does not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-eval-'));
    const csv = join(dir, 'tickets.csv');
    writeFileSync(csv, 'message,customerId\nHello,cus_1\nNo customer,\n');
    const flow = join(examples, 'support-triage.flow.json');
    const bad = await trellis(['eval', flow, '--dataset', csv, '--scorers', '[{"type":"cel","expression":"true"}]']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${csv}: the file has 1 problem; row 2, input.customerId: is required`);
    const good = join(dir, 'good.csv');
    writeFileSync(good, 'message,customerId\nHello,cus_1\n');
    const unknown = await trellis(['eval', flow, '--dataset', good, '--scorers', '[{"type":"vibes"}]']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--scorers: scorer 1 \(type\): /);
  });
});


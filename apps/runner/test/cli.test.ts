import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRELLIS_BIN, trellis } from '@trellis/test-support/cli';
import { PromptLibraryFile, RunEvent, type Flow } from '@trellis/schema';
import { askOnTerminal } from '../src/cli/approve.js';
import { TracePrinter, describeDeadline } from '../src/cli/trace.js';
import { openStore } from '../src/store/index.js';

const fixture = fileURLToPath(new URL('./fixtures/triage.flow.json', import.meta.url));
/** Uses library prompts (greeting@latest, greeting@1, tone@1) on two nodes named "Draft", before a timed approval. */
const libraryFlow = fileURLToPath(new URL('./fixtures/library.flow.json', import.meta.url));
/** greeting (versions 1, 2) and tone (1), as GET /api/prompts/export gives them. */
const libraryFile = fileURLToPath(new URL('./fixtures/library.prompts.json', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'trellis-cli-'));

function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('trellis validate', () => {
  it('says a good flow is valid', async () => {
    const { code, stdout } = await trellis(['validate', fixture]);
    expect(code).toBe(0);
    // Valid, with the warning that a rejection has nothing wired to it.
    expect(stdout).toContain('flow "cli-triage" is valid (9 nodes, 8 edges, 1 warning)');
    expect(stdout).toContain('warning: node "ok": nothing is wired to Rejected');
  });

  it('prints every problem at once, each naming its node or edge, and exits 1', async () => {
    const broken = file('broken.json', JSON.stringify({
      schema: 'trellis.flow/v1', id: 'broken', name: 'Broken',
      nodes: [
        { id: 'p', type: 'prompt', config: { model: 'openai:gpt-4.1-mini', prompt: { template: 'hi' } } },
        { id: 'x', type: 'teleport', config: {} },
        { id: 'c', type: 'condition', config: { branches: [{ id: 'b', when: 'input.n >' }] } },
      ],
      edges: [{ id: 'e1', source: 'p', target: 'nowhere' }],
    }));
    const { code, stdout } = await trellis(['validate', broken]);
    expect(code).toBe(1);
    expect(stdout).toContain('node "x": unknown node kind "teleport"');
    expect(stdout).toContain('edge "e1": its target "nowhere" is not a node of this flow');
    expect(stdout).toContain('node "c": branch "b":');
    expect(stdout).toContain('the flow has no input node');
    expect(stdout).toMatch(/4 errors/);
  });

  it('answers a file that is not JSON, or not a flow, with one clear line', async () => {
    const notJson = await trellis(['validate', file('nope.json', '{ "schema": ')]);
    expect(notJson.code).toBe(1);
    expect(notJson.stdout.trim().split('\n')).toHaveLength(1);
    expect(notJson.stdout).toContain('this is not valid JSON');
    const notFlow = await trellis(['validate', file('list.json', '[1, 2, 3]')]);
    expect(notFlow.stdout.trim()).toMatch(/this is not a Trellis flow/);
    const missing = await trellis(['validate', join(scratch, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`trellis: cannot read flow file ${join(scratch, 'missing.json')}: no such file`);
    for (const r of [notJson, notFlow, missing]) expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('trellis run', () => {
  it('stops quietly when the reader of its output goes away (trellis run … | head)', async () => {
    const child = spawn(process.execPath, [TRELLIS_BIN, 'run', fixture, '--sample', 'billing', '--approve', 'all'], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy()); // `head -1` read its line and left
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('prints a readable live trace and the output', async () => {
    const { code, stdout } = await trellis(['run', fixture, '--sample', 'other']);
    expect(code).toBe(0);
    expect(stdout).toContain('● classify prompt');
    expect(stdout).toContain('branch else');
    expect(stdout).toContain('⚙ agent calls lookup_account {"id":"42"}');
    expect(stdout).toContain('↳ lookup_account {"id":"42","balance":42}');
    expect(stdout).toContain('○ draft skipped');
    expect(stdout).toMatch(/✔ run succeeded in .* · 3 model calls/);
    expect(stdout).toContain('"agent": "All settled."');
    expect(stdout).toContain('this run used the deterministic test provider for classify, agent');
  });

  it('prints the run events as NDJSON with --json, each one a RunEvent', async () => {
    const { code, stdout } = await trellis(['run', fixture, '--input', '{"message":"The app crashes"}', '--mocks', '{"classify":{"object":{"category":"other"}}}', '--json']);
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line));
    for (const event of events) expect(RunEvent.safeParse(event).success).toBe(true);
    expect(events[0].type).toBe('run.started');
    expect(events.at(-1).type).toBe('run.completed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('with no terminal, stops at an approval as waiting and says so', async () => {
    const { code, stderr } = await trellis(['run', fixture, '--sample', 'billing']);
    expect(code).toBe(3);
    expect(stderr).toMatch(/is waiting for approval at "ok".*no terminal to ask on.*--approve all/);
  });

  it('answers approvals with --approve', async () => {
    const approved = await trellis(['run', fixture, '--sample', 'billing', '--approve', 'all']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('"reply": "Sorry about that, refunding now."');
    const rejected = await trellis(['run', fixture, '--sample', 'billing', '--approve', 'none', '--json']);
    expect(rejected.code).toBe(0);
    const events = rejected.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'run.resumed').data.decision.approved).toBe(false);
    expect(events.filter((e) => e.type === 'node.skipped').map((e) => e.nodeId)).toContain('out');
  });

  it('refuses bad options with a clear line', async () => {
    const badInput = await trellis(['run', fixture, '--input', '{oops']);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toMatch(/^trellis: --input is not valid JSON/);
    const badSample = await trellis(['run', fixture, '--sample', 'nope']);
    expect(badSample.stderr).toContain('flow "cli-triage" has no sample "nope" (it has: billing, other)');
    const badApprove = await trellis(['run', fixture, '--approve', 'maybe']);
    expect(badApprove.code).not.toBe(0);
    expect(badApprove.stderr).toMatch(/Allowed choices are all, none/);
  });

  it('fails a run over its budget, saying why', async () => {
    const { code, stdout } = await trellis(['run', fixture, '--sample', 'other', '--max-model-calls', '1']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✘ run failed: budget exceeded: the run has made its 1 allowed model calls/);
  });
});

describe('library prompts in trellis run and validate', () => {
  const dataDir = join(scratch, 'data');
  beforeAll(async () => {
    // A runner's data folder whose library has one more version of greeting than the file.
    const store = await openStore({ dataDir });
    await store.importPrompts(PromptLibraryFile.parse(JSON.parse(readFileSync(libraryFile, 'utf8'))).prompts);
    await store.updatePrompt('greeting', { template: 'Say a third hello to {{ input.message }}', tags: [] });
    await store.close();
  });
  const unknownRefs = () => file('unknown-refs.flow.json', readFileSync(libraryFlow, 'utf8').replace('"greeting@1"', '"greeting@7"').replace('"tone@1"', '"nada@latest"'));

  it('validate without a library says the references cannot be checked and which flags to pass', async () => {
    const { code, stdout } = await trellis(['validate', libraryFlow]);
    expect(code).toBe(0);
    expect(stdout).toContain('the flow uses library prompts (tone@1, greeting@latest, greeting@1) that cannot be checked or resolved here: pass --data DIR');
    expect(stdout).toContain('--prompts FILE');
    expect(stdout).toContain('is valid (5 nodes, 5 edges, 2 warnings)'); // and "check" has nothing wired to Rejected
  });

  it('validate checks the references against an export file, and against a data folder naming each unknown prompt and version', async () => {
    const good = await trellis(['validate', libraryFlow, '--prompts', libraryFile]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('tone@1 → version 1, greeting@latest → version 2, greeting@1 → version 1');
    const bad = await trellis(['validate', unknownRefs(), '--data', dataDir, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.ok).toBe(false);
    expect(report.prompts.checked).toBe(true);
    expect(report.prompts.problems.map((p: { message: string }) => p.message)).toEqual([
      'node "greet": system.ref "nada@latest": there is no prompt "nada" in the library',
      'node "again": prompt.ref "greeting@7": the prompt "greeting" has no version 7 (latest is 3)',
    ]);
  });

  it('run refuses a flow with references and no library, naming the flags', async () => {
    const { code, stderr } = await trellis(['run', libraryFlow, '--approve', 'all']);
    expect(code).toBe(1);
    expect(stderr).toContain('trellis: flow "cli-library" uses library prompts (tone@1, greeting@latest, greeting@1): pass --data DIR');
  });

  it('run takes the prompts from an export file: pins in the trace, node names, the waiting question and its deadline', async () => {
    const { code, stdout, stderr } = await trellis(['run', libraryFlow, '--prompts', libraryFile]);
    expect(code).toBe(3);
    expect(stdout).toContain('library prompts: tone@1 → version 1 (Draft [greet]); greeting@latest → version 2 (Draft [greet]); greeting@1 → version 1 (Draft [again])');
    expect(stdout).toContain('● Draft [greet] prompt');
    expect(stdout).toContain('● in input');
    expect(stdout).toMatch(/✓ Draft \[again\] .*model call/);
    expect(stdout).toContain('⏸ Sign-off waits for approval: Send this reply?\n  It goes to the customer.\n  payload:\n    {\n      "reply": "Test reply to: Say a warm hello to hi"\n    }');
    expect(stdout).toMatch(/answer by \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in 1 h\); with no answer by then it is approved/);
    expect(stderr).toMatch(/is waiting for approval at "check" \(Send this reply\? …\): no terminal to ask on/);
  });

  it('run takes the prompts from a data folder and pins the versions it used in run.started', async () => {
    const { code, stdout } = await trellis(['run', libraryFlow, '--data', dataDir, '--approve', 'all', '--json']);
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0].data.prompts).toEqual([
      { ref: 'tone@1', name: 'tone', version: 1, nodeId: 'greet', field: 'system.ref' },
      { ref: 'greeting@latest', name: 'greeting', version: 3, nodeId: 'greet', field: 'prompt.ref' },
      { ref: 'greeting@1', name: 'greeting', version: 1, nodeId: 'again', field: 'prompt.ref' },
    ]);
    expect(events.at(-1).data.output.reply).toContain('Say a third hello to hi');
  });

  it('says clearly when the data folder or the export file cannot be used', async () => {
    const missing = await trellis(['run', libraryFlow, '--data', join(scratch, 'no-such-dir')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`trellis: data folder ${join(scratch, 'no-such-dir')} does not exist (give the folder "trellis serve --data" uses)`);
    mkdirSync(join(scratch, 'empty'), { recursive: true });
    const empty = await trellis(['validate', libraryFlow, '--data', join(scratch, 'empty')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`holds no Trellis database (no ${join(scratch, 'empty', 'trellis.db')})`);
    const invalid = await trellis(['run', libraryFlow, '--prompts', file('not-a-library.json', '{"schema":"trellis.prompts/v0","prompts":[{"name":"x","versions":[]}]}')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('is not a Trellis prompt library export');
    expect(invalid.stderr).toContain('schema: must be "trellis.prompts/v1"');
    expect(invalid.stderr).toContain('prompts.0.versions: a prompt needs at least one version');
    for (const r of [missing, empty, invalid]) expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the terminal trace', () => {
  function printed(flow: Pick<Flow, 'nodes'>, events: RunEvent[], now = Date.parse('2026-12-07T10:00:00Z')): string {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const printer = new TracePrinter(out as unknown as NodeJS.WriteStream, flow, () => now);
    for (const event of events) printer.print(event);
    printer.finish();
    return text;
  }
  const base = { runId: 'r', ts: '2026-12-07T10:00:00Z' };
  const node = (id: string, type: string, name?: string, config: Record<string, unknown> = {}) => ({ id, type, position: { x: 0, y: 0 }, config, ...(name ? { name } : {}) });

  it("names nodes by their names, with the id where names repeat, and shows a wait's question, payload and deadline", () => {
    const flow = { nodes: [node('a', 'prompt', 'Draft'), node('b', 'prompt', 'Draft'), node('c', 'prompt', 'Classify'), node('d', 'prompt'), node('ok', 'approval', 'Sign-off', { onTimeout: 'reject' })] };
    const text = printed(flow, [
      ...['a', 'b', 'c', 'd'].map((id, i) => ({ ...base, seq: i + 1, type: 'node.started' as const, nodeId: id, data: { kind: 'prompt', attempt: 1 } })),
      { ...base, seq: 5, type: 'node.skipped', nodeId: 'c', data: { reason: 'branch not taken' } },
      { ...base, seq: 6, type: 'run.waiting', nodeId: 'ok', data: { waitId: 'ok', kind: 'approval', message: 'Refund $40?\nThe customer asked twice.', payload: { amount: 40 }, deadline: '2026-12-07T12:30:00.000Z' } },
    ]);
    expect(text).toContain('● Draft [a] prompt\n● Draft [b] prompt\n● Classify prompt\n● d prompt\n');
    expect(text).toContain('○ Classify skipped: branch not taken');
    expect(text).toContain('⏸ Sign-off waits for approval: Refund $40?\n  The customer asked twice.\n  payload:\n    {\n      "amount": 40\n    }\n');
    expect(text).toContain('  answer by 2026-12-07 12:30:00Z (in 2 h 30 min); with no answer by then it is rejected\n');
    expect(describeDeadline('2026-12-07T09:00:00Z', Date.parse('2026-12-07T10:00:00Z'))).toBe('answer by 2026-12-07 09:00:00Z (passed)');
  });

  it("shows a guardrail's verdicts as the trace keeps them: masked, and which rule failed", () => {
    const flow = { nodes: [node('screen', 'guardrail', 'Screen ticket')] };
    const verdicts = [
      { rule: 0, type: 'pii', title: 'Redact personal data', passed: true, outcome: 'redacted', found: 1, spans: [{ kind: 'card', start: 4, end: 23, shown: '•••• •••• •••• 4242' }] },
      { rule: 1, type: 'secrets', title: 'Refuse secrets', passed: false, outcome: 'blocked', found: 1, spans: [{ kind: 'openai-key', start: 30, end: 80, shown: 'sk-•••' }] },
    ];
    const text = printed(flow, [
      { ...base, seq: 1, type: 'node.started', nodeId: 'screen', data: { kind: 'guardrail', attempt: 1 } },
      { ...base, seq: 2, type: 'node.completed', nodeId: 'screen', data: { output: { passed: false }, durationMs: 1, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: 0 }, ports: ['fail'], decision: { passed: false, redactions: 1, verdicts } } },
    ]);
    expect(text).toContain('⛨ Failed at "Refuse secrets" (1 redacted). Redact personal data: redacted 1 (•••• •••• •••• 4242) · Refuse secrets: blocked 1 (sk-•••)');
    expect(text).not.toContain('4242 4242');
  });
});

describe('trellis schema', () => {
  it('prints the JSON Schema of the flow format', async () => {
    const { code, stdout } = await trellis(['schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.title).toContain('trellis.flow/v1');
    for (const kind of ['input', 'prompt', 'condition', 'tool', 'agent', 'approval', 'output']) expect(stdout).toContain(`"const": "${kind}"`);
  });
});

describe('approvals on a terminal', () => {
  const wait = { nodeId: 'ok', waitId: 'ok', kind: 'approval' as const, message: 'Send it?', payload: { reply: 'Hi' } };
  function terminal() {
    const input = new PassThrough();
    const output = new PassThrough();
    const seen = { text: '' };
    output.on('data', (d) => (seen.text += d));
    return { input, output, seen };
  }
  /** An editor that answers from a list, one answer a call, and keeps what it was shown; its path has a space, as some do. */
  function editor(answers: string[]): { command: string; shown: () => string[] } {
    const dir = join(scratch, `an editor ${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    const script = join(dir, 'edit.mjs');
    writeFileSync(join(dir, 'answers.json'), JSON.stringify(answers));
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
const [, , flag, file] = process.argv;
if (flag !== '--wait') process.exit(9);
const dir = ${JSON.stringify(dir)};
const shown = JSON.parse(readFileSync(dir + '/shown.json', 'utf8').trim() || '[]');
shown.push(readFileSync(file, 'utf8'));
writeFileSync(dir + '/shown.json', JSON.stringify(shown));
const answer = JSON.parse(readFileSync(dir + '/answers.json', 'utf8'))[shown.length - 1];
if (answer !== null) writeFileSync(file, answer);
`,
    );
    writeFileSync(join(dir, 'shown.json'), '[]');
    return { command: `"${process.execPath}" "${script}" --wait`, shown: () => JSON.parse(readFileSync(join(dir, 'shown.json'), 'utf8')) };
  }

  it('with no editor, asks until the answer makes sense and takes a payload typed over lines, ended by an empty line', async () => {
    const { input, output, seen } = terminal();
    const asking = askOnTerminal(wait, { input, output }, 'cli:ann', { env: {} });
    input.write('maybe\ne\n{not json\n\n{\n  "reply": "Hello there"\n}\n\nlooks better\n');
    expect(await asking).toEqual({ waitId: 'ok', approved: true, by: 'cli:ann', payload: { reply: 'Hello there' }, comment: 'looks better' });
    expect(seen.text).toContain('Send it?');
    expect(seen.text).toContain('please answer a, r or e');
    expect(seen.text).toContain('ended by an empty line');
    expect(seen.text).toMatch(/the payload is not valid JSON: .*; type it again/);
  });

  it('with no editor, an empty line alone cancels the edit', async () => {
    const { input, output, seen } = terminal();
    const asking = askOnTerminal(wait, { input, output }, 'cli:ann', { env: {} });
    input.write('e\n\nr\n\n');
    expect(await asking).toEqual({ waitId: 'ok', approved: false, by: 'cli:ann' });
    expect(seen.text).toContain('edit cancelled');
  });

  it('edits the payload in $VISUAL or $EDITOR (a command with arguments), opening it again on invalid JSON', async () => {
    const fake = editor(['{ "reply": ', '{ "reply": "Hello there" }\n']);
    const { input, output, seen } = terminal();
    const asking = askOnTerminal(wait, { input, output }, 'cli:ann', { env: { VISUAL: fake.command, EDITOR: 'false' } });
    input.write('e\ny\nok\n');
    expect(await asking).toEqual({ waitId: 'ok', approved: true, by: 'cli:ann', payload: { reply: 'Hello there' }, comment: 'ok' });
    expect(fake.shown()).toEqual(['{\n  "reply": "Hi"\n}\n', '{ "reply": ']);
    expect(seen.text).toMatch(/the edited payload is not valid JSON: .*\n.*open the editor again to fix it\? \[Y\/n\]/);
  });

  it('keeps the payload when the editor leaves it unchanged, and cancels the edit when it empties the file', async () => {
    const unchanged = editor([null as unknown as string]);
    const one = terminal();
    const kept = askOnTerminal(wait, one, 'cli:ann', { env: { EDITOR: unchanged.command } });
    one.input.write('e\n\n');
    expect(await kept).toEqual({ waitId: 'ok', approved: true, by: 'cli:ann' });
    expect(one.seen.text).toContain('payload unchanged');

    const emptied = editor(['', '  \n']);
    const two = terminal();
    const cancelled = askOnTerminal(wait, two, 'cli:ann', { env: { EDITOR: emptied.command } });
    two.input.write('e\nr\nno thanks\n');
    expect(await cancelled).toEqual({ waitId: 'ok', approved: false, by: 'cli:ann', comment: 'no thanks' });
    expect(two.seen.text).toContain('edit cancelled');
  });

  it('says when the editor fails, keeping the payload', async () => {
    const { input, output, seen } = terminal();
    const asking = askOnTerminal(wait, { input, output }, 'cli:ann', { env: { EDITOR: 'exit 4 ;' } });
    input.write('e\na\n\n');
    expect(await asking).toEqual({ waitId: 'ok', approved: true, by: 'cli:ann' });
    expect(seen.text).toContain('the editor "exit 4 ;" exited with code 4; the payload is unchanged');
  });

  it('takes a rejection with its reason, and shows the deadline', async () => {
    const { input, output, seen } = terminal();
    const asking = askOnTerminal({ nodeId: 'ok', waitId: 'ok', kind: 'approval', message: 'Send?', deadline: '2026-12-07T10:05:00Z' }, { input, output }, 'cli:bob', { label: 'Sign-off', now: () => Date.parse('2026-12-07T10:00:00Z') });
    input.write('r\noff-brand\n');
    expect(await asking).toEqual({ waitId: 'ok', approved: false, by: 'cli:bob', comment: 'off-brand' });
    expect(seen.text).toContain('Approval needed at "Sign-off":');
    expect(seen.text).toContain('answer by 2026-12-07 10:05:00Z (in 5 min)');
  });
});

describe('trellis run with sub-flows', () => {
  it('runs the flows beside the file as sub-flows, shows their runs set off, and answers their waits', async () => {
    const dir = mkdtempSync(join(scratch, 'subflows-'));
    writeFileSync(join(dir, 'gate.flow.json'), JSON.stringify({
      schema: 'trellis.flow/v1', id: 'gate', name: 'Gate',
      nodes: [{ id: 'in', type: 'input', config: {} }, { id: 'ok', type: 'approval', config: { message: 'Go?' } }, { id: 'out', type: 'output', config: { value: 'went' } }],
      edges: [{ id: 'e1', source: 'in', target: 'ok' }, { id: 'e2', source: 'ok', sourceHandle: 'approved', target: 'out' }],
    }));
    const parent = join(dir, 'top.flow.json');
    writeFileSync(parent, JSON.stringify({
      schema: 'trellis.flow/v1', id: 'top', name: 'Top',
      nodes: [{ id: 'in', type: 'input', config: {} }, { id: 'sub', type: 'subflow', name: 'Through the gate', config: { flow: 'gate' } }, { id: 'out', type: 'output', config: { value: { got: '{{ nodes.sub.output }}' } } }],
      edges: [{ id: 'e1', source: 'in', target: 'sub' }, { id: 'e2', source: 'sub', target: 'out' }],
    }));
    const approved = await trellis(['run', parent, '--approve', 'all']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/┊ ▶ sub-flow run [0-9a-f-]+ of flow "gate"/);
    expect(approved.stdout).toMatch(/↪ Through the gate runs flow "gate" version 1 as run/);
    expect(approved.stdout).toContain('┊ ⏸ ok waits for approval: Go?');
    expect(approved.stdout).toContain('"got": "went"');

    const stopped = await trellis(['run', parent]);
    expect(stopped.stderr + stopped.stdout).toContain('is waiting for approval at "ok" (Go?)');

    const missing = file('lonely.flow.json', JSON.stringify({
      schema: 'trellis.flow/v1', id: 'lonely', name: 'Lonely',
      nodes: [{ id: 'in', type: 'input', config: {} }, { id: 'sub', type: 'subflow', config: { flow: 'nowhere' } }, { id: 'out', type: 'output', config: { value: 1 } }],
      edges: [{ id: 'e1', source: 'in', target: 'sub' }, { id: 'e2', source: 'sub', target: 'out' }],
    }));
    const refused = await trellis(['run', missing]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('node "sub" runs the flow "nowhere", which does not exist');
  });
});

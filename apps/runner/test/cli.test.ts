import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';
import { RunEvent } from '@trellis/schema';
import { askOnTerminal } from '../src/cli/approve.js';

const fixture = fileURLToPath(new URL('./fixtures/triage.flow.json', import.meta.url));
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
    expect(stdout).toContain('flow "cli-triage" is valid (9 nodes, 8 edges)');
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
  it('asks until the answer makes sense, and takes an edited payload', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => (shown += d));
    const asking = askOnTerminal({ nodeId: 'ok', waitId: 'ok', kind: 'approval', message: 'Send it?', payload: { reply: 'Hi' } }, { input, output }, 'cli:ann');
    input.write('maybe\ne\n{not json\ne\n{"reply":"Hello there"}\nlooks better\n');
    const answer = await asking;
    expect(answer).toEqual({ waitId: 'ok', approved: true, by: 'cli:ann', payload: { reply: 'Hello there' }, comment: 'looks better' });
    expect(shown).toContain('Send it?');
    expect(shown).toContain('please answer a, r or e');
    expect(shown).toContain('that is not JSON');
  });

  it('takes a rejection with its reason', async () => {
    const input = new PassThrough();
    const asking = askOnTerminal({ nodeId: 'ok', waitId: 'ok', kind: 'approval', message: 'Send?' }, { input, output: new PassThrough() }, 'cli:bob');
    input.write('r\noff-brand\n');
    expect(await asking).toEqual({ waitId: 'ok', approved: false, by: 'cli:bob', comment: 'off-brand' });
  });
});

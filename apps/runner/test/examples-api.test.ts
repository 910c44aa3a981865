import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExampleFlow } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import { createApp } from '../src/server/app.js';
import { REPO_EXAMPLES } from '../src/server/serve.js';
import { apiHarness } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;

/** The harness's store and service behind an app that knows an examples directory. */
function withExamples(h: Harness, examplesDir: string | undefined) {
  const app = createApp({ store: h.store, service: h.service, log: h.log, bodyLimitBytes: 64 * 1024, syncTimeoutMs: 10_000, ...(examplesDir ? { examplesDir } : {}) });
  return async <T>(path: string) => {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as T };
  };
}

describe('GET /api/examples', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const done of cleanup.splice(0)) await done();
  });
  async function harness() {
    const h = await apiHarness();
    cleanup.push(() => h.close());
    return h;
  }
  function tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-examples-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('lists every bundled example with its name, description and a document that validates', async () => {
    const get = withExamples(await harness(), REPO_EXAMPLES);
    const { status, body } = await get<{ items: ExampleFlow[] }>('/api/examples');
    expect(status).toBe(200);
    const bundled = readdirSync(REPO_EXAMPLES).filter((f) => f.endsWith('.flow.json'));
    expect(body.items).toHaveLength(bundled.length);
    expect(body.items.map((e) => [e.id, e.name])).toEqual([
      ['content-pipeline', expect.any(String)],
      ['research-agent', expect.any(String)],
      ['research-orchestrator', 'Research with workers'],
      ['support-handoffs', 'Support desk with specialists'],
      ['support-triage', 'Support triage'],
    ]);
    const triage = body.items.find((e) => e.id === 'support-triage');
    expect(triage).toMatchObject({ name: 'Support triage', document: { id: 'support-triage', name: 'Support triage', schema: 'trellis.flow/v1' } });
    expect(triage!.description).toMatch(/support/i);
    for (const example of body.items) expect(validateFlow(example.document).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('leaves out files that are not JSON or not valid flows, and reads the directory only once', async () => {
    const dir = tempDir();
    copyFileSync(join(REPO_EXAMPLES, 'support-triage.flow.json'), join(dir, 'support-triage.flow.json'));
    writeFileSync(join(dir, 'broken.flow.json'), '{ "schema": "trellis.flow/v1", ');
    writeFileSync(join(dir, 'no-input.flow.json'), JSON.stringify({ schema: 'trellis.flow/v1', id: 'no-input', name: 'No input', nodes: [], edges: [] }));
    writeFileSync(join(dir, 'notes.json'), '{}');
    const h = await harness();
    const get = withExamples(h, dir);

    const first = await get<{ items: ExampleFlow[] }>('/api/examples');
    expect(first.body.items.map((e) => e.id)).toEqual(['support-triage']);
    expect(h.lines.join('\n')).toContain('broken.flow.json');
    expect(h.lines.join('\n')).toContain('no-input.flow.json');

    // A file added later is not seen: the list was read once and kept.
    copyFileSync(join(REPO_EXAMPLES, 'research-agent.flow.json'), join(dir, 'research-agent.flow.json'));
    const second = await get<{ items: ExampleFlow[] }>('/api/examples');
    expect(second.body.items.map((e) => e.id)).toEqual(['support-triage']);
  });

  it('is an empty list when the runner has no examples directory', async () => {
    const get = withExamples(await harness(), undefined);
    expect(await get('/api/examples')).toEqual({ status: 200, body: { items: [] } });
  });

  it('is described in the OpenAPI document', async () => {
    const get = withExamples(await harness(), REPO_EXAMPLES);
    const { body } = await get<{ paths: Record<string, { get?: { summary?: string } }>; components: { schemas: Record<string, unknown> } }>('/openapi.json');
    expect(body.paths['/api/examples']?.get?.summary).toBe('List the bundled example flows');
    expect(body.components.schemas).toHaveProperty('ExampleFlow');
  });
});

import { mkdirSync, readFileSync } from 'node:fs';
import type { Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the stored document is checked field by field

const SHOTS = process.env.TRELLIS_SHOTS ?? '/tmp/shots-editor';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../packages/nodes/src/kinds/subflow/${name}`, import.meta.url), 'utf8')) as Flow;

const save = (url: string, doc: Flow) => fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) });

/** input → agent, with a tool node giving it the tools of the runner's stdio MCP server "fake". */
const agentWithMcp = {
  schema: 'trellis.flow/v1',
  id: 'mcp-e2e',
  name: 'Agent with MCP tools',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
    { id: 'helper', type: 'agent', position: { x: 300, y: 0 }, config: { model: 'test:m', instructions: 'Help.', prompt: 'Help with {{ input.message }}' } },
    { id: 'warehouse', type: 'tool', position: { x: 300, y: 220 }, config: { tool: 'mcp', mcp: { server: 'fake' } } },
    { id: 'out', type: 'output', position: { x: 600, y: 0 }, config: { value: '{{ nodes.helper.output }}' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'helper' },
    { id: 'e2', source: 'warehouse', sourceHandle: 'tool', target: 'helper', targetHandle: 'tools' },
    { id: 'e3', source: 'helper', target: 'out' },
  ],
};

/**
 * A sub-flow node picks its flow in the inspector, and its child run's trace opens in place; an
 * MCP tool node lists its server's tools to choose from. (One product start-up for both.)
 */
describe('sub-flows and MCP tools in the browser', () => {
  const product = useProduct();

  it("picks the flow a sub-flow node runs, runs it, and shows the child run's own trace nested under the step", async () => {
    const { page, url } = await product.freshPage();
    mkdirSync(SHOTS, { recursive: true });
    expect((await save(url, fixture('fixture.child.flow.json'))).status).toBe(201);
    expect((await save(url, fixture('fixture.flow.json'))).status).toBe(201);
    await page.goto(`${url}/#/flows/fixture-subflow`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Sub-flow node/).first().click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    const chooser = inspector.getByLabel('Flow', { exact: true });
    await expect.poll(() => chooser.inputValue()).toBe('fixture-subflow-child');
    await inspector.getByLabel('Version').selectOption('1');
    await inspector.getByRole('link', { name: 'Open the flow fixture-subflow-child' }).waitFor();

    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    const open = panel.getByRole('button', { name: /^Show the trace of sub-flow run .+ of "fixture-subflow-child" \(version 1\)$/ });
    await open.click();
    const nested = panel.getByLabel(/^Trace of sub-flow run/);
    await nested.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await nested.getByText(/a sub-flow run, started by step "greeting" of run/).waitFor();
    await nested.getByRole('button', { name: 'Step greet: succeeded' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/subflow-trace.png` });
  }, 120_000);

  it("lists the server's tools, chooses some for the agent and marks one for approval", async () => {
    const { page, url } = await product.freshPage();
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(agentWithMcp) })).status).toBe(201);
    await page.goto(`${url}/#/flows/mcp-e2e`);
    await page.getByLabel('Flow canvas').getByLabel(/Tool node warehouse/).click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    // An MCP server describes its own tools: no description or arguments schema to fill in.
    await inspector.getByLabel('Stdio server').waitFor();
    expect(await inspector.getByLabel('Arguments schema').count()).toBe(0);

    await inspector.getByRole('button', { name: 'Load tools' }).click();
    const tools = inspector.getByRole('list', { name: "The server's tools" });
    await tools.getByLabel('Give lookup_order to the agent').waitFor();
    expect(await tools.getByRole('checkbox', { name: /^Give .+ to the agent$/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(
      expect.arrayContaining(['Give lookup_order to the agent', 'Give echo to the agent', 'Give fail to the agent']),
    );
    await tools.getByLabel('Give echo to the agent').uncheck();
    await tools.getByLabel('lookup_order needs approval').check();
    await page.getByRole('button', { name: 'Save' }).click();
    const storedMcp = async () => ((await (await fetch(`${url}/api/flows/mcp-e2e`)).json()) as Body).document.nodes.find((n: Body) => n.id === 'warehouse').config.mcp as Body;
    await expect.poll(async () => (await storedMcp()).approval).toEqual(['lookup_order']);
    const mcp = await storedMcp();
    expect(mcp.server).toBe('fake');
    expect([...(mcp.tools as string[])].sort()).toEqual(['fail', 'lookup_order', 'slow']);
  }, 120_000);
});

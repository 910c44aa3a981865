import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const at = { x: 0, y: 0 };
/** in → boss → out, with the worker clerk, which may ask a person; the sample's mock script makes it ask. */
const flow = {
  schema: 'trellis.flow/v1',
  id: 'ask-person-e2e',
  name: 'Agent asks a person',
  nodes: [
    { id: 'in', type: 'input', position: at, config: { schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } } },
    { id: 'boss', type: 'agent', name: 'Boss', position: { x: 300, y: 0 }, config: { model: 'test:m', instructions: 'You run the shop.', prompt: '{{ input.message }}' } },
    {
      id: 'clerk',
      type: 'agent',
      name: 'Clerk',
      position: { x: 300, y: 250 },
      config: { model: 'test:m', instructions: 'You order things.', description: 'Orders things', askPerson: { enabled: true } },
    },
    { id: 'out', type: 'output', position: { x: 600, y: 0 }, config: { value: '{{ nodes.boss.output }}' } },
  ],
  edges: [
    { id: 'e1', source: 'in', sourceHandle: 'out', target: 'boss', targetHandle: 'in' },
    { id: 'e2', source: 'boss', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
    { id: 'w1', source: 'clerk', sourceHandle: 'agent', target: 'boss', targetHandle: 'tools' },
  ],
  samples: [
    {
      name: 'asks',
      input: { message: 'Order widgets' },
      mocks: {
        boss: [{ toolCalls: [{ tool: 'clerk', args: { task: 'order widgets' } }] }, { text: 'The clerk ordered.' }],
        clerk: [{ toolCalls: [{ tool: 'ask_a_person', args: { question: 'Which supplier?' } }] }, { text: 'Ordered.' }],
      },
    },
  ],
};

/** An agent's question in the Test run panel, in real Chromium against a real runner: the worker that asks is named, its form is the agent's. */
describe("answering an agent's question from the editor", () => {
  const product = useProduct();

  it("shows the agent's ask-a-person fields in the inspector, and its question in the run panel with a form, going on with the answer", async () => {
    const { page, url } = product;
    const saved = await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(flow) });
    expect(saved.status).toBe(201);

    await page.goto(`${url}/#/flows/${flow.id}`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.locator('.react-flow__node[data-id="clerk"]').click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    expect(await inspector.getByLabel('Can ask a person').isChecked()).toBe(true);
    expect(await inspector.getByLabel('On timeout', { exact: true }).inputValue()).toBe('tell-agent');
    await inspector.locator('.cm-content[aria-label="Answer form"]').waitFor();
    // An agent that may not ask shows only the switch.
    await canvas.locator('.react-flow__node[data-id="boss"]').click();
    expect(await inspector.getByLabel('Can ask a person').isChecked()).toBe(false);
    expect(await inspector.getByLabel('On timeout', { exact: true }).count()).toBe(0);

    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('asks');
    await panel.getByRole('button', { name: 'Start run' }).click();

    const question = panel.getByRole('form', { name: 'Question' });
    await question.waitFor();
    await question.getByText(/^Agent Clerk \(in step Boss\) asks:/).waitFor();
    await question.getByText('Which supplier?').waitFor();
    const answer = question.getByLabel('Answer', { exact: true });
    await question.getByRole('button', { name: 'Send answer' }).click();
    await question.getByText('Answer: is required').waitFor();
    await answer.fill('ACME');
    await question.getByRole('button', { name: 'Send answer' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await question.waitFor({ state: 'detached' });
    expect(await panel.getByLabel('Run output').textContent()).toContain('The clerk ordered.');
  });
});

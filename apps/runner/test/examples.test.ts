/**
 * The bundled examples (examples/*.flow.json) are showcase content: the first flows a new user
 * opens and runs. Every sample of every example runs here through the engine, the test provider
 * playing its mock script, and must take the path, make the tool calls and produce the output
 * written down below. The examples are found by listing the directory, and one without
 * expectations for each of its samples fails, so a new example cannot be forgotten.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import { createModelResolver } from '@trellis/nodes/server';
import { Engine, MemoryCheckpointStore, type Answer, type PendingWait, type RunResult } from '../src/index.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface ExampleNode {
  id: string;
  type: string;
  name?: string;
  position?: { x: number; y: number };
  config: Record<string, unknown>;
}
interface ExampleSample {
  name: string;
  description?: string;
  input: unknown;
  mocks?: Record<string, unknown>;
}
interface ExampleFlow {
  schema: string;
  id: string;
  name: string;
  description?: string;
  nodes: ExampleNode[];
  edges: { id: string; source: string; sourceHandle?: string; target: string; targetHandle?: string }[];
  samples?: ExampleSample[];
}

/** What one sample run must do when every approval is approved (by "test", payload unchanged). */
interface Expected {
  /** Each condition node that ran, with the branch it took. */
  branches: Record<string, string>;
  /** Every step the run skipped (attached tools are not steps and never appear here). */
  skipped: string[];
  /** The waits, in order, each approved as it comes. */
  approvals: { nodeId: string; message: unknown; payload: unknown }[];
  /** The tool calls agents made, in order, with what each tool returned. */
  toolCalls: { agent: string; tool: string; args: Record<string, unknown>; result: unknown }[];
  /** Model calls per node: every scripted reply is played, none is left over. */
  modelCalls: Record<string, number>;
  output: unknown;
}

const ROUTINE_REPLY = `Hi Priya,

Thanks for getting in touch! Your May invoice, INV-2025-0502 for $49.00 (dated 2 May 2025), is paid in full.

You can download the PDF any time under Settings → Billing → Invoices. If your accountant would like to receive invoices directly, you can add their address as a billing contact on the same page.

Best,
The Parcelo Support Team`;

const REFUND_REPLY = `Hi Dana,

Thanks for letting us know, and we're sorry to see Brightline Studio go. You cancelled on June 3, within 14 days of your June 1 renewal, so you qualify for a full refund: we've refunded $480.00 for invoice INV-2025-0601 to the card on file. It usually shows up within 5-10 business days.

Before the cancellation takes effect, you can export your data under Settings → Export.

Best,
The Parcelo Support Team`;

const WEBHOOK_REPLY = `Hi Marco,

I looked into this right away. In the last 24 hours we attempted 412 webhook deliveries to https://api.ferro.example/hooks/parcelo, and your endpoint rejected every one with "401 Unauthorized: signature mismatch". The failures start right after the signing secret was rotated on June 16 at 13:52 UTC, so your endpoint is still verifying signatures with the old secret.

To fix it: copy the current secret from Settings → Webhooks → Signing secret into your WMS integration, then press "Redeliver failed events" on the same page. The 412 events are kept for 72 hours and replay in order.

I'll check back in two hours to confirm deliveries are flowing again.

The Parcelo Support Team`;

const WEBHOOK_NOTE = `412/412 deliveries failed with 401 signature mismatch since the secret rotation at 2025-06-16 13:52 UTC: customer-side config, no platform incident. Follow up in 2h to confirm the redelivery; June invoice INV-2025-0615 ($1,250) is still open.`;

const PASSING_BODY = `A customer types "Baker Stret", the parcel leaves your warehouse, and a week later it is back on your dock. Most failed deliveries start at checkout, with an address nobody checked.

## Where failed deliveries start

In Parcelo data from 2024, 1 in 40 orders from stores without address validation had an address problem: a typo in the street, a missing apartment number, a postcode that does not match the city. At 2,000 orders a month, that is 50 parcels at risk.

## What one bad address costs

A failed delivery makes you pay twice. You pay for the return label, then for the reshipment, and someone on your team answers the "where is my order?" ticket in between.

## Fix it while the customer is still there

Address validation checks the address as it is typed. When something looks wrong, it suggests the corrected version on the checkout page, and the customer confirms it with one click. Nothing changes for addresses that are already right.

## Turn it on in two minutes

Go to **Settings → Checkout → Address validation** and pick a mode:

- **Soft** suggests corrections but lets the customer keep what they typed. Start here.
- **Strict** asks the customer to confirm an address before they can pay. Use it if failed deliveries are a big cost for you.

Watch your returns for a month, then decide whether strict mode is worth it.`;

const REVISED_BODY = `A customer types "Baker Stret", the parcel ships, and a week later it is back on your dock. Most failed deliveries start with an address nobody checked.

## Why addresses matter

In Parcelo data from 2024, 1 in 40 orders from stores without address validation had an address problem: a street typo, a missing apartment number, a postcode that does not match the city.

## The cost of getting it wrong

A failed delivery makes you pay twice: the return label and the reshipment. Someone on your team also answers the "where is my order?" ticket in between.

## How validation works

Parcelo checks the address as it is typed and, when something looks wrong, suggests a corrected version on the checkout page. The customer confirms it with one click, before they pay.

## Turn it on

Go to **Settings → Checkout → Address validation**. **Soft** mode suggests corrections but lets the customer keep what they typed; **strict** mode asks them to confirm first. Start with soft, watch your returns for a month, then decide.`;

const RESEARCH_ANSWER = `We chose pgvector, running on our existing Postgres 16 cluster [n-101]. In the Q1 2025 evaluation its recall@10 was 0.93, within 2 points of Qdrant (0.95) and Pinecone (0.94), and its p95 latency of 38 ms at 50 QPS fits the 80 ms checkout budget [n-101]. It also avoids a new vendor, an extra data-processing agreement and a second copy of customer data [n-101]. The decision is to be revisited if the corpus grows past 20M vectors or p95 latency passes 60 ms [n-101].`;

const REFUND_PAYLOAD = { customerId: 'cus_1001', refundUsd: 480, reply: REFUND_REPLY };

const EXPECTATIONS: Record<string, Record<string, Expected>> = {
  'support-triage.flow.json': {
    'routine-billing': {
      branches: { route: 'routine', check_sensitive: 'else' },
      skipped: ['investigate', 'investigation', 'approve_reply', 'send_approved', 'hand_to_billing'],
      approvals: [],
      toolCalls: [],
      modelCalls: { classify: 1, draft_reply: 1 },
      output: { route: 'auto_reply', customerId: 'cus_1077', category: 'billing', reply: ROUTINE_REPLY },
    },
    'refund-over-limit': {
      branches: { route: 'routine', check_sensitive: 'sensitive' },
      skipped: ['investigate', 'investigation', 'send_reply', 'hand_to_billing'],
      approvals: [
        {
          nodeId: 'approve_reply',
          message:
            'Sign-off needed for cus_1001 (billing, sentiment negative): the customer asks for $480 back, and support may refund up to $100 without sign-off. ' +
            'Read the drafted reply, edit the reply or the refund amount if needed, then approve to send it, or reject to hand the ticket to the billing team.',
          payload: REFUND_PAYLOAD,
        },
      ],
      toolCalls: [],
      modelCalls: { classify: 1, draft_reply: 1 },
      output: { route: 'approved_reply', customerId: 'cus_1001', category: 'billing', reply: REFUND_REPLY, refundUsd: 480 },
    },
    'unusual-technical': {
      branches: { route: 'else' },
      skipped: ['draft_reply', 'check_sensitive', 'approve_reply', 'send_reply', 'send_approved', 'hand_to_billing'],
      approvals: [],
      toolCalls: [
        {
          agent: 'investigate',
          tool: 'lookup_account',
          args: { customerId: 'cus_1042' },
          result: expect.objectContaining({
            id: 'cus_1042',
            name: 'Marco Ilić',
            plan: 'Business (monthly)',
            found: true,
            lifetimeValueUsd: 2500,
            openBalanceUsd: 1250,
            webhooks: {
              endpoint: 'https://api.ferro.example/hooks/parcelo',
              signingSecretRotatedAt: '2025-06-16T13:52:00Z',
              last24h: { delivered: 0, failed: 412, lastError: '401 Unauthorized: signature mismatch' },
            },
          }),
        },
      ],
      modelCalls: { classify: 1, investigate: 2 },
      output: {
        route: 'investigated',
        customerId: 'cus_1042',
        category: 'technical',
        reply: WEBHOOK_REPLY,
        internalNote: WEBHOOK_NOTE,
        escalateTo: 'none',
      },
    },
  },
  'content-pipeline.flow.json': {
    'passes-review': {
      branches: { quality_gate: 'passes' },
      skipped: ['revise', 'approve_revision', 'publish_revised', 'needs_work', 'returned'],
      approvals: [
        {
          nodeId: 'approve_draft',
          message: expect.stringContaining('"Stop paying twice for one parcel: validate addresses at checkout" passed review with a score of 8/10 and 1 minor note(s)'),
          payload: { title: 'Stop paying twice for one parcel: validate addresses at checkout', body: PASSING_BODY },
        },
      ],
      toolCalls: [],
      modelCalls: { draft: 1, review: 1 },
      output: {
        status: 'approved',
        revised: false,
        title: 'Stop paying twice for one parcel: validate addresses at checkout',
        body: PASSING_BODY,
        score: 8,
        reviewNotes: [
          {
            severity: 'minor',
            location: 'Where failed deliveries start, second sentence',
            problem: '"50 parcels at risk" is derived from the 1-in-40 figure but reads like a separate statistic.',
            fix: 'Say "that is about 50 orders a month" so the reader sees it is the same figure applied to their volume.',
          },
        ],
      },
    },
    'needs-revision': {
      branches: { quality_gate: 'else' },
      skipped: ['approve_draft', 'publish', 'returned', 'needs_work'],
      approvals: [
        {
          nodeId: 'approve_revision',
          message: expect.stringContaining('The first draft failed review (4/10: Not publishable'),
          payload: { title: 'Catch bad addresses at checkout, before they cost you twice', body: REVISED_BODY },
        },
      ],
      toolCalls: [],
      modelCalls: { draft: 1, review: 1, revise: 1 },
      output: {
        status: 'approved',
        revised: true,
        title: 'Catch bad addresses at checkout, before they cost you twice',
        body: REVISED_BODY,
        firstScore: 4,
        changes: [
          'Removed the "73% fewer failed deliveries" claim, which the brief does not support, and used the 1-in-40 figure from the brief instead',
          'Added a "Turn it on" section with the settings path and the soft and strict modes',
          'Removed the banned phrases "in today\'s fast-paced world", "game-changer", "revolutionize", "seamless" and "unlocks"',
          "Opened with the reader's problem instead of a generic statement, and gave the title a concrete benefit",
        ],
      },
    },
  },
  'research-agent.flow.json': {
    'with-sources': {
      branches: {},
      skipped: [],
      approvals: [],
      toolCalls: [
        {
          agent: 'research',
          tool: 'search_notes',
          args: { query: 'vector database semantic search' },
          result: {
            query: 'vector database semantic search',
            found: 4,
            results: [
              { id: 'n-101', title: 'Semantic search: vector database evaluation (2025 Q1)', updated: '2025-03-28', matches: 4, snippet: expect.stringMatching(/^We compared pgvector .*…$/) },
              { id: 'n-102', title: 'Postmortem: pgvector index build delayed writes (2025-04-09)', updated: '2025-04-11', matches: 2, snippet: expect.stringMatching(/^The first HNSW index build/) },
              { id: 'n-104', title: 'Embedding model choice for shipment search', updated: '2025-02-14', matches: 2, snippet: expect.stringMatching(/^We embed shipment descriptions/) },
              { id: 'n-103', title: 'Latency budget for checkout-facing search', updated: '2024-11-20', matches: 1, snippet: expect.stringMatching(/^Address and product search/) },
            ],
          },
        },
        {
          agent: 'research',
          tool: 'get_note',
          args: { id: 'n-101' },
          result: expect.objectContaining({
            id: 'n-101',
            title: 'Semantic search: vector database evaluation (2025 Q1)',
            author: 'Lena Ortiz',
            body: expect.stringContaining('Decision: pgvector. Its recall is within 2 points of the best'),
          }),
        },
      ],
      modelCalls: { research: 3 },
      output: {
        question: 'Which vector database did we choose for semantic search, and why?',
        answer: RESEARCH_ANSWER,
        sources: [
          {
            id: 'n-101',
            title: 'Semantic search: vector database evaluation (2025 Q1)',
            quote:
              'Decision: pgvector. Its recall is within 2 points of the best, its latency fits the 80 ms checkout budget (n-103), and it adds no new vendor, no extra data-processing agreement and no second copy of customer data to keep in sync.',
          },
        ],
        confidence: 'high',
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------

const exampleFiles = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.flow.json')).sort();

function loadExample(file: string): ExampleFlow {
  return JSON.parse(readFileSync(`${EXAMPLES_DIR}${file}`, 'utf8')) as ExampleFlow;
}

function sampleOf(flow: ExampleFlow, name: string): ExampleSample {
  const sample = flow.samples?.find((s) => s.name === name);
  if (!sample) throw new Error(`flow "${flow.id}" has no sample "${name}"`);
  return sample;
}

interface SampleRun {
  result: RunResult;
  events: RunEvent[];
  waits: PendingWait[];
}

/** Runs a sample to its end, answering each wait with `decide` (default: approve as is). */
async function runSample(
  flow: ExampleFlow,
  sample: ExampleSample,
  decide: (wait: PendingWait) => Omit<Answer, 'waitId'> = () => ({ approved: true, by: 'test' }),
): Promise<SampleRun> {
  const events: RunEvent[] = [];
  const engine = new Engine({
    store: new MemoryCheckpointStore(),
    // No keys: whatever a mock script does not cover would go to the test provider, never to a real model.
    models: createModelResolver({ fallbackToTest: true, env: {} }),
    onEvent: (event) => events.push(event),
  });
  const waits: PendingWait[] = [];
  let result = await engine.start(flow, { input: sample.input, mocks: sample.mocks });
  while (result.status === 'waiting') {
    const wait = result.waiting[0]!;
    waits.push(wait);
    if (waits.length > 20) throw new Error('the run keeps waiting: more than 20 approvals');
    result = await engine.resume(result.runId, { answer: { waitId: wait.waitId, ...decide(wait) } });
  }
  return { result, events, waits };
}

const eventsOf = <T extends RunEvent['type']>(events: RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

const skippedIn = (events: RunEvent[]) => eventsOf(events, 'node.skipped').map((e) => e.nodeId).sort();

function branchesIn(flow: ExampleFlow, events: RunEvent[]): Record<string, string> {
  const conditions = new Set(flow.nodes.filter((n) => n.type === 'condition').map((n) => n.id));
  return Object.fromEntries(
    eventsOf(events, 'node.completed')
      .filter((e) => conditions.has(e.nodeId))
      .map((e) => [e.nodeId, (e.data.decision as { branch: string }).branch]),
  );
}

function toolCallsIn(events: RunEvent[]) {
  const results = new Map(eventsOf(events, 'node.tool_result').map((e) => [e.data.toolCallId, e.data]));
  return eventsOf(events, 'node.tool_call').map((call) => {
    const result = results.get(call.data.toolCallId);
    return {
      agent: call.nodeId,
      tool: call.data.tool,
      args: call.data.args,
      result: result?.error === undefined ? result?.result : { error: result.error },
    };
  });
}

function modelCallsIn(events: RunEvent[]): Record<string, number> {
  return Object.fromEntries(
    eventsOf(events, 'node.completed')
      .filter((e) => e.data.usage.modelCalls > 0)
      .map((e) => [e.nodeId, e.data.usage.modelCalls]),
  );
}

/** Nodes wired to an agent's tools: they run inside the agent, not as steps. */
function attachedTools(flow: ExampleFlow): Set<string> {
  return new Set(flow.edges.filter((e) => e.sourceHandle === 'tool').map((e) => e.source));
}

describe('the bundled examples', () => {
  it('are found in examples/', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['support-triage.flow.json', 'content-pipeline.flow.json', 'research-agent.flow.json']));
  });

  it('have expectations for every example, and none for examples that are gone', () => {
    expect(Object.keys(EXPECTATIONS).sort()).toEqual(exampleFiles);
  });

  it('include the sample `npm start` runs, and it stops at an approval', async () => {
    const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    const runs = Object.values(scripts).flatMap((script) => {
      const found = /\brun \S*examples\/(\S+\.flow\.json) --sample (\S+)/.exec(script);
      return found ? [{ file: found[1]!, sample: found[2]! }] : [];
    });
    expect(runs, 'a root package.json script should run a bundled example\'s sample').not.toEqual([]);
    for (const run of runs) {
      expect(exampleFiles).toContain(run.file);
      const flow = loadExample(run.file);
      const sample = sampleOf(flow, run.sample);
      const engine = new Engine({ store: new MemoryCheckpointStore(), models: createModelResolver({ fallbackToTest: true, env: {} }) });
      const result = await engine.start(flow, { input: sample.input, mocks: sample.mocks });
      expect(result.status).toBe('waiting');
      expect(result.waiting).toEqual([expect.objectContaining({ kind: 'approval' })]);
    }
  });

  it("accept what the README's commands give them: named samples exist, free-form inputs run", async () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const commands = [...readme.matchAll(/trellis run examples\/(\S+\.flow\.json)([^\n]*)/g)];
    expect(commands.length).toBeGreaterThan(0);
    for (const [, file, rest] of commands) {
      expect(exampleFiles).toContain(file);
      const flow = loadExample(file!);
      const sample = /--sample (\S+)/.exec(rest!)?.[1];
      if (sample) sampleOf(flow, sample);
      const input = /--input '([^']+)'/.exec(rest!)?.[1];
      if (input) {
        // No mock script: the test provider answers every model call from the prompt and schema.
        const engine = new Engine({ store: new MemoryCheckpointStore(), models: createModelResolver({ fallbackToTest: true, env: {} }) });
        const result = await engine.start(flow, { input: JSON.parse(input) as unknown });
        expect(result.error).toBeUndefined();
        expect(['succeeded', 'waiting']).toContain(result.status);
      }
    }
  });
});

for (const file of exampleFiles) {
  const flow = loadExample(file);
  const expected = EXPECTATIONS[file];

  describe(file, () => {
    it('has expectations for exactly its samples', () => {
      expect(expected, `add expectations for ${file} to EXPECTATIONS in this test`).toBeDefined();
      expect(flow.samples?.length, `${file} has no samples`).toBeGreaterThan(0);
      expect(Object.keys(expected ?? {}).sort()).toEqual((flow.samples ?? []).map((s) => s.name).sort());
    });

    it('validates with no problems at all, not even warnings', () => {
      const loaded = validateFlow(flow);
      expect(loaded.problems).toEqual([]);
      expect(loaded.ok).toBe(true);
    });

    it('is complete showcase content: id matches the file, described, every node named and placed', () => {
      expect(`${flow.id}.flow.json`).toBe(file);
      expect(flow.schema).toBe('trellis.flow/v1');
      expect(flow.description?.length).toBeGreaterThan(40);
      for (const node of flow.nodes) {
        expect(node.name, `node "${node.id}" has no name`).toBeTruthy();
        expect(node.position, `node "${node.id}" has no position`).toBeDefined();
      }
      const spots = new Set(flow.nodes.map((n) => `${n.position!.x},${n.position!.y}`));
      expect(spots.size, 'two nodes sit on the same spot').toBe(flow.nodes.length);
      for (const sample of flow.samples ?? []) expect(sample.description, `sample "${sample.name}" has no description`).toBeTruthy();
    });

    for (const sample of flow.samples ?? []) {
      it(`sample "${sample.name}" takes its path and produces its output`, async () => {
        const want = expected?.[sample.name];
        if (!want) throw new Error(`no expectations for sample "${sample.name}" of ${file}: add them to EXPECTATIONS`);
        const { result, events, waits } = await runSample(flow, sample);

        expect(result.error).toBeUndefined();
        expect(result.status).toBe('succeeded');
        expect(branchesIn(flow, events)).toEqual(want.branches);
        expect(skippedIn(events)).toEqual([...want.skipped].sort());
        expect(waits.map((w) => ({ nodeId: w.nodeId, kind: w.kind, message: w.message, payload: w.payload }))).toEqual(
          want.approvals.map((a) => ({ ...a, kind: 'approval' })),
        );
        expect(toolCallsIn(events)).toEqual(want.toolCalls);
        expect(modelCallsIn(events)).toEqual(want.modelCalls);
        expect(result.output).toEqual(want.output);
        expect(eventsOf(events, 'run.completed')[0]?.data.output).toEqual(want.output);

        // Every step either ran or was skipped; tools ran only inside their agent.
        const tools = attachedTools(flow);
        const settled = new Set([...eventsOf(events, 'node.completed').map((e) => e.nodeId), ...skippedIn(events)]);
        expect([...settled].sort()).toEqual(flow.nodes.filter((n) => !tools.has(n.id)).map((n) => n.id).sort());
        expect(eventsOf(events, 'node.failed')).toEqual([]);
        // No sample may reach the network: agents only call the transform tools.
        for (const call of eventsOf(events, 'node.tool_call')) {
          const node = flow.nodes.find((n) => n.id === call.data.toolNodeId);
          expect(node?.config.tool, `sample "${sample.name}" calls the HTTP tool "${call.data.tool}"`).toBe('transform');
        }
      });
    }
  });
}

describe('approvals in the examples', () => {
  it('a rejected refund sign-off hands the ticket to the billing team instead of sending the reply', async () => {
    const flow = loadExample('support-triage.flow.json');
    const comment = 'Over our goodwill budget; billing will call the customer.';
    const { result, events, waits } = await runSample(flow, sampleOf(flow, 'refund-over-limit'), () => ({ approved: false, by: 'test', comment }));

    expect(waits.map((w) => w.nodeId)).toEqual(['approve_reply']);
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({
      route: 'handed_to_billing',
      customerId: 'cus_1001',
      summary: 'Dana (Brightline Studio) cancelled two days after the annual renewal and asks for a full refund of the $480 renewal invoice.',
      draft: REFUND_REPLY,
      decision: { approved: false, payload: REFUND_PAYLOAD, comment, by: 'test' },
    });
    expect(skippedIn(events)).toEqual(['investigate', 'investigation', 'send_approved', 'send_reply'].sort());
    const completed = eventsOf(events, 'node.completed').map((e) => e.nodeId);
    expect(completed).not.toContain('send_approved');
    expect(eventsOf(events, 'node.completed').find((e) => e.nodeId === 'approve_reply')?.data.ports).toEqual(['rejected']);
  });

  it('a rejected revision is marked as needing work, with the editor\'s decision', async () => {
    const flow = loadExample('content-pipeline.flow.json');
    const { result, events } = await runSample(flow, sampleOf(flow, 'needs-revision'), () => ({ approved: false, by: 'test', comment: 'Still too thin on the cost section.' }));

    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({
      status: 'needs-work',
      title: 'Catch bad addresses at checkout, before they cost you twice',
      review: expect.objectContaining({ passes: false, score: 4 }),
      changes: expect.arrayContaining([expect.stringContaining('Turn it on')]),
      editor: {
        approved: false,
        payload: { title: 'Catch bad addresses at checkout, before they cost you twice', body: REVISED_BODY },
        comment: 'Still too thin on the cost section.',
        by: 'test',
      },
    });
    expect(skippedIn(events)).toEqual(['approve_draft', 'publish', 'publish_revised', 'returned'].sort());
  });

  it("an approver's edit of the payload is what the approved output sends", async () => {
    const flow = loadExample('support-triage.flow.json');
    const edited = { customerId: 'cus_1001', refundUsd: 240, reply: 'Hi Dana, we have refunded $240.00 for invoice INV-2025-0601.' };
    const { result, events } = await runSample(flow, sampleOf(flow, 'refund-over-limit'), () => ({ approved: true, by: 'test', payload: edited }));

    expect(result.output).toEqual({ route: 'approved_reply', customerId: 'cus_1001', category: 'billing', reply: edited.reply, refundUsd: 240 });
    const approval = eventsOf(events, 'node.completed').find((e) => e.nodeId === 'approve_reply');
    expect(approval?.data.decision).toEqual(expect.objectContaining({ approved: true, edited: true, payload: edited }));
  });
});

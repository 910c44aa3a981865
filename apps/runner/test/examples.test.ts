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
import { recording } from './support/harness.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface ExampleNode {
  id: string;
  type: string;
  name?: string;
  /** A body step's container; its position is then relative to the container's corner. */
  parent?: string;
  position?: { x: number; y: number };
  /** A container's size on the canvas. */
  size?: { width: number; height: number };
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

/** A wait the run makes: an approval (approved as it comes, payload unchanged) or a question (given `answer`). */
type ExpectedWait =
  | { nodeId: string; kind?: 'approval'; message: unknown; payload: unknown }
  | { nodeId: string; kind: 'question'; message: unknown; schema: unknown; answer: unknown };

/** What one sample run must do when every approval is approved (by "test", payload unchanged) and every question answered. */
interface Expected {
  /** Each condition node that ran, with the branch it took. */
  branches: Record<string, string>;
  /** Every step the run skipped (attached tools and agents are not steps and never appear here). */
  skipped: string[];
  /** The waits, in order, each answered as it comes. */
  approvals: ExpectedWait[];
  /**
   * The tool calls agents made, in order, with what each tool returned: `agent` is the step,
   * `by` the attached agent (a handoff target or a worker) that made the call, when not the step's own.
   * Transfers (`transfer_to_<id>`) and workers are tool calls too.
   */
  toolCalls: { agent: string; by?: string; tool: string; args: unknown; result: unknown }[];
  /**
   * Model calls per node (an agent step counts its attached agents' calls), summed over every
   * time it ran (a loop's body steps run once per round): every scripted reply is played, none is left over.
   */
  modelCalls: Record<string, number>;
  /** The rounds each container's body ran, counted from the body steps' event paths. */
  rounds?: Record<string, number>;
  /** The decision in `node.completed` of these nodes, exactly (guardrail verdicts, agent handoffs). */
  decisions?: Record<string, unknown>;
  /** The `node.handoff` events, in order. */
  handoffs?: unknown[];
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

const REVISED_BODY = `A customer types "Baker Stret", the parcel ships, and a week later it is back on your dock. Most failed deliveries start at checkout, with an address nobody checked.

## Why addresses matter

In Parcelo data from 2024, 1 in 40 orders from stores without address validation had an address problem: a street typo, a missing apartment number, a postcode that does not match the city. Each of those orders can become a failed delivery.

## The cost of getting it wrong

A failed delivery makes you pay twice: once for the return label, and again for the reshipment. In between, someone on your team answers the "where is my order?" ticket, and the customer still has no parcel.

## How validation works

Parcelo checks the address as it is typed. When something looks wrong, it suggests a corrected version on the checkout page, and the customer confirms it with one click, before they pay. Addresses that are already right go through with no extra step.

## Turn it on

Go to **Settings → Checkout → Address validation** and choose a mode:

- **Soft** suggests corrections but lets the customer keep what they typed. It adds no step to checkout, so start here.
- **Strict** asks the customer to confirm a corrected address before they can pay. Choose it if failed deliveries cost you more than the extra step might.

Switch on soft mode today, watch your returns for a month, then decide whether strict mode is worth it.`;

/** The third and last round of the brief that asks for numbers it does not give: accurate, still failing review. */
const STRICT_LAST_BODY = `Soft address validation catches typos, but your customers can still ignore the suggestion, and some of those parcels come back.

## What soft mode misses

Soft mode suggests a corrected address but lets the customer keep what they typed. When they keep a wrong one, the parcel can fail to arrive.

## What strict mode adds

Strict mode asks the customer to confirm a corrected address before they can pay. A wrong address cannot reach your warehouse without the customer seeing the correction first.

## The worry about checkout

Some stores worry that the extra step costs them orders. Whether it does depends on your customers, so measure it rather than guess.

## Try it and compare

Go to **Settings → Checkout → Address validation** and choose **Strict**. The change takes effect at once. Note your failed deliveries and checkout conversion for the two weeks before, compare the two weeks after, and switch back if the numbers say so.`;

/** The content pipeline's loop ends once the review's checklist passes (the old quality gate's test, on the round's review). */
const CONTENT_UNTIL = "output.review.passes && output.review.score >= vars.minScore && !output.review.issues.exists(i, i.severity in ['blocker', 'major'])";

const RESEARCH_ANSWER = `We chose pgvector, running on our existing Postgres 16 cluster [n-101]. In the Q1 2025 evaluation its recall@10 was 0.93, within 2 points of Qdrant (0.95) and Pinecone (0.94), and its p95 latency of 38 ms at 50 QPS fits the 80 ms checkout budget [n-101]. It also avoids a new vendor, an extra data-processing agreement and a second copy of customer data [n-101]. The decision is to be revisited if the corpus grows past 20M vectors or p95 latency passes 60 ms [n-101].`;

const REFUND_PAYLOAD = { customerId: 'cus_1001', refundUsd: 480, reply: REFUND_REPLY };

const DUPLICATE_REPLY = `Hi Priya,

Sorry about that! Duplicate charges are always refunded in full, so we've refunded the second $49.00 charge for June (invoice INV-2025-0602) to the card on file. It usually shows up within 5-10 business days.

For your security, please don't send card numbers by e-mail: we never need them to help you.

Best,
The Parcelo Support Team`;

const ROTATE_REPLY = `Hi,

Your message contains what looks like a secret (an API key, a token or a password), so we have not read or stored it. Please treat that secret as exposed: revoke it and create a new one under Settings → API keys, then write to us again without it. We never need your keys to help you.

The Parcelo Support Team`;

const PROMISING_DRAFT = `Hi Marco,

No problem at all! We guarantee your account will not be suspended while INV-2025-0615 ($1,250.00) is open, and as compensation for the hassle we'll add a free month to your plan.

Best,
The Parcelo Support Team`;

/** A guardrail rule that found nothing. */
const clean = (rule: number, type: string, title: string) => ({ rule, type, title, passed: true, outcome: 'passed', found: 0 });
const skippedRule = (rule: number, type: string, title: string) => ({ rule, type, title, passed: false, outcome: 'skipped' });
/** The ticket screen's decision on a message with no personal data and no secret. */
const SCREEN_CLEAN = { passed: true, redactions: 0, verdicts: [clean(0, 'pii', 'Redact personal data'), clean(1, 'secrets', 'Refuse secrets')] };
/** The reply check's decision on a reply of `characters` that passes. */
const replyPassed = (characters: number) => ({
  passed: true,
  redactions: 0,
  verdicts: [
    clean(0, 'secrets', 'No secrets'),
    clean(1, 'pii', 'No card numbers or IBANs'),
    clean(2, 'terms', 'No promises support may not make'),
    { rule: 3, type: 'length', title: 'At most 1,200 characters', passed: true, outcome: 'passed', detail: `${characters} characters` },
  ],
});
// Masked as the trace shows them: a card keeps its last four digits, nothing else of what was found is shown.
const SECRET_VERDICTS = [
  clean(0, 'pii', 'Redact personal data'),
  { rule: 1, type: 'secrets', title: 'Refuse secrets', passed: false, outcome: 'blocked', found: 1, spans: [{ kind: 'secret:bearer_token', start: 92, end: 121, shown: '•••_••••_••••••••••••••••••••' }] },
];
const HELD_VERDICTS = [
  clean(0, 'secrets', 'No secrets'),
  clean(1, 'pii', 'No card numbers or IBANs'),
  {
    rule: 2,
    type: 'terms',
    title: 'No promises support may not make',
    passed: false,
    outcome: 'blocked',
    found: 3,
    spans: [
      { kind: 'term', start: 33, end: 42, shown: '•••••••••' },
      { kind: 'term', start: 126, end: 138, shown: '••••••••••••' },
      { kind: 'term', start: 166, end: 176, shown: '•••• •••••' },
    ],
  },
  skippedRule(3, 'length', 'At most 1,200 characters'),
];

const NADIA_REFUND = `Hi Nadia,

You're right: the Team plan for March was charged twice on March 3, as INV-2025-0303-A and INV-2025-0303-B ($79.00 each). Duplicate charges are always refunded in full, so we've refunded INV-2025-0303-B. It usually shows up within 5-10 business days.

The Parcelo Support Team`;

const RATE_LIMIT_REPLY = `Hi Tomás,

A 429 on /v2/labels means the API key went over its limit of 60 requests a minute, and the limit is per key, not per integration: every system that uses the same key counts. Your 5 requests a minute are only part of the traffic on that key.

To fix it, create a separate key for each integration under Settings → API keys, and retry 429s after the number of seconds in the Retry-After header instead of at once.

The Parcelo Support Team`;

const OVERAGE_REPLY = `Hi Tomás,

The $312 on INV-2025-0401 is for March, when your key made 1,520,000 calls: 520,000 over the 1M in your plan. The extra calls are retries: when a request is rate-limited (429), your integration sends it again at once instead of waiting, and each retry counts as a call.

To fix it, wait the number of seconds in the Retry-After header before retrying, and retry at most 3 times. Your April usage will show the difference within a day.

The Parcelo Support Team`;

const CRASH_QUESTION = 'Sorry about the crashes, Nadia! Which version of the Parcelo app do you have (Settings → About), and on which phone and operating system?';
const CRASH_ANSWER = 'App 4.12.0 on a Pixel 7 with Android 15.';
const CRASH_REPLY = `Hi Nadia,

Thanks for checking. App 4.12.0 on Android 15 has a bug that crashes the app when a photo is attached, and it is fixed in 4.12.1, out now. Please update the app from Google Play and attaching photos will work again.

If you can't update right away, you can attach the photo from the web app (Shipments → Attachments) in the meantime.

The Parcelo Support Team`;

const NADIA_INVOICES = {
  id: 'cus_2001',
  name: 'Nadia Okafor',
  company: 'Okafor Design',
  plan: 'Team (monthly, $79)',
  invoices: [
    { id: 'INV-2025-0303-A', date: '2025-03-03', amountUsd: 79, status: 'paid', lines: ['Team plan, March'] },
    { id: 'INV-2025-0303-B', date: '2025-03-03', amountUsd: 79, status: 'paid', lines: ['Team plan, March'] },
  ],
  found: true,
  openBalanceUsd: 0,
};
const TOMAS_INVOICES = {
  id: 'cus_2002',
  name: 'Tomás Rivera',
  company: 'Rivera Freight',
  plan: 'Scale (monthly, $490, 1M API calls included)',
  invoices: [
    { id: 'INV-2025-0301', date: '2025-03-01', amountUsd: 490, status: 'paid', lines: ['Scale plan, March'] },
    {
      id: 'INV-2025-0401',
      date: '2025-04-01',
      amountUsd: 802,
      status: 'open',
      lines: ['Scale plan, April: $490', 'API overage, March: 1,520,000 calls, 520,000 over the included 1M at $0.60 per 1,000: $312'],
    },
  ],
  found: true,
  openBalanceUsd: 802,
};
const transferred = (to: string) => `The conversation is now with agent "${to}".`;

const RESEARCHER_TASK = 'Find how many parcel lockers Europe has, how fast that number is growing, and what share of EU parcels lockers carry today. Give each figure with its source id and date.';
const CHECKER_TASK = 'Check the claim that parcel lockers will handle half of all EU parcels by 2026: find where it comes from, read that source in full, and say whether it is a measured figure and whether the data backs it.';
const RESEARCHER_FINDINGS = 'From s-1 (Lastmile Insights, 2025-02-10): Europe had about 190,000 parcel lockers at the end of 2024, up from 131,000 at the end of 2022, roughly 20% growth a year. Lockers carried 7% of B2C parcels in the EU in 2024; about 40% in Poland and 6% in Germany.';
const CHECKER_VERDICT = 'Does not hold. The claim comes from s-2, an opinion column in ShipTech Daily (2024-06-03): "we expect them to handle half of all parcels in the EU by 2026" and "This column reflects the views of its author." It gives no data. The measured share in s-1 is 7% of EU B2C parcels in 2024.';
const LOCKER_ANSWER =
  'No. The "half of all EU parcels by 2026" figure comes from an opinion column, not from data [s-2]. Lockers carried 7% of B2C parcels in the EU in 2024 [s-1]. The network is growing fast, from about 131,000 lockers at the end of 2022 to about 190,000 at the end of 2024, roughly 20% a year [s-1], but even at that pace the share cannot reach 50% by 2026. Poland is the exception, with about 40% of its parcels going to lockers; in Germany the share is 6% [s-1].';
const LOCKERS_S1 = { id: 's-1', title: 'Parcel lockers in Europe: 2024 market report', publisher: 'Lastmile Insights', published: '2025-02-10' };
const LOCKERS_S2 = { id: 's-2', title: 'Lockers will handle half of all EU parcels by 2026', publisher: 'ShipTech Daily (opinion)', published: '2024-06-03' };
const LOCKERS_S3 = { id: 's-3', title: 'Out-of-home delivery survey, Germany 2024', publisher: 'Parcelo research', published: '2024-11-18' };

const EXPECTATIONS: Record<string, Record<string, Expected>> = {
  'support-triage.flow.json': {
    'routine-billing': {
      branches: { route: 'routine', check_sensitive: 'else' },
      skipped: ['refuse_secret', 'hold_reply', 'investigate', 'investigation', 'approve_reply', 'send_approved', 'hand_to_billing'],
      approvals: [],
      toolCalls: [],
      modelCalls: { classify: 1, draft_reply: 1 },
      decisions: { screen_ticket: SCREEN_CLEAN, check_reply: replyPassed(348) },
      output: { route: 'auto_reply', customerId: 'cus_1077', category: 'billing', reply: ROUTINE_REPLY },
    },
    'refund-over-limit': {
      branches: { route: 'routine', check_sensitive: 'sensitive' },
      skipped: ['refuse_secret', 'hold_reply', 'investigate', 'investigation', 'send_reply', 'hand_to_billing'],
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
      decisions: { screen_ticket: SCREEN_CLEAN, check_reply: replyPassed(418) },
      output: { route: 'approved_reply', customerId: 'cus_1001', category: 'billing', reply: REFUND_REPLY, refundUsd: 480 },
    },
    'card-number-redacted': {
      branches: { route: 'routine', check_sensitive: 'else' },
      skipped: ['refuse_secret', 'hold_reply', 'investigate', 'investigation', 'approve_reply', 'send_approved', 'hand_to_billing'],
      approvals: [],
      toolCalls: [],
      modelCalls: { classify: 1, draft_reply: 1 },
      decisions: {
        screen_ticket: {
          passed: true,
          redactions: 2,
          verdicts: [
            {
              rule: 0,
              type: 'pii',
              title: 'Redact personal data',
              passed: true,
              outcome: 'redacted',
              found: 2,
              spans: [
                { kind: 'card', start: 47, end: 66, shown: '•••• •••• •••• 4242' },
                { kind: 'email', start: 170, end: 190, shown: '•••••@••••••.•••••••' },
              ],
            },
            clean(1, 'secrets', 'Refuse secrets'),
          ],
        },
        check_reply: replyPassed(345),
      },
      output: { route: 'auto_reply', customerId: 'cus_1077', category: 'billing', reply: DUPLICATE_REPLY },
    },
    'secret-in-message': {
      branches: {},
      skipped: [
        'load_account', 'classify', 'route', 'draft_reply', 'check_reply', 'check_sensitive', 'approve_reply',
        'send_approved', 'hand_to_billing', 'send_reply', 'hold_reply', 'investigate', 'investigation',
      ],
      approvals: [],
      toolCalls: [],
      modelCalls: {},
      decisions: { screen_ticket: { passed: false, redactions: 0, verdicts: SECRET_VERDICTS } },
      output: { route: 'secret_refused', customerId: 'cus_1042', reply: ROTATE_REPLY, verdicts: SECRET_VERDICTS },
    },
    'reply-held': {
      branches: { route: 'routine' },
      skipped: ['refuse_secret', 'check_sensitive', 'approve_reply', 'send_approved', 'hand_to_billing', 'send_reply', 'investigate', 'investigation'],
      approvals: [],
      toolCalls: [],
      modelCalls: { classify: 1, draft_reply: 1 },
      decisions: { screen_ticket: SCREEN_CLEAN, check_reply: { passed: false, redactions: 0, verdicts: HELD_VERDICTS } },
      output: {
        route: 'held_for_review',
        customerId: 'cus_1042',
        category: 'billing',
        summary: 'Ferro Logistics asks to pay the open June invoice INV-2025-0615 two weeks late while they change banks.',
        draft: PROMISING_DRAFT,
        verdicts: HELD_VERDICTS,
      },
    },
    'unusual-technical': {
      branches: { route: 'else' },
      skipped: ['refuse_secret', 'draft_reply', 'check_reply', 'hold_reply', 'check_sensitive', 'approve_reply', 'send_reply', 'send_approved', 'hand_to_billing'],
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
      decisions: { screen_ticket: SCREEN_CLEAN, investigate: { steps: 2 } },
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
  'support-handoffs.flow.json': {
    'billing-handoff': {
      branches: {},
      skipped: [],
      approvals: [],
      toolCalls: [
        { agent: 'desk', tool: 'transfer_to_billing', args: { reason: 'A duplicate charge for the Team plan: a billing question.' }, result: transferred('billing') },
        { agent: 'desk', by: 'billing', tool: 'lookup_invoices', args: { customerId: 'cus_2001' }, result: NADIA_INVOICES },
      ],
      modelCalls: { desk: 3 },
      decisions: { desk: { steps: 3, agent: 'billing', handoffs: [{ from: 'desk', to: 'billing', reason: 'A duplicate charge for the Team plan: a billing question.' }] } },
      handoffs: [{ from: 'desk', to: 'billing', reason: 'A duplicate charge for the Team plan: a billing question.', count: 1, history: 'full' }],
      output: { route: 'answered', customerId: 'cus_2001', team: 'billing', reply: NADIA_REFUND },
    },
    'technical-handoff': {
      branches: {},
      skipped: [],
      approvals: [],
      toolCalls: [{ agent: 'desk', tool: 'transfer_to_technical', args: { reason: 'API errors (429 on /v2/labels): a technical question.' }, result: transferred('technical') }],
      modelCalls: { desk: 2 },
      decisions: { desk: { steps: 2, agent: 'technical', handoffs: [{ from: 'desk', to: 'technical', reason: 'API errors (429 on /v2/labels): a technical question.' }] } },
      handoffs: [{ from: 'desk', to: 'technical', reason: 'API errors (429 on /v2/labels): a technical question.', count: 1, history: 'full' }],
      output: { route: 'answered', customerId: 'cus_2002', team: 'technical', reply: RATE_LIMIT_REPLY },
    },
    'back-and-forth': {
      branches: {},
      skipped: [],
      approvals: [],
      toolCalls: [
        { agent: 'desk', tool: 'transfer_to_billing', args: { reason: 'A question about a charge on the April invoice.' }, result: transferred('billing') },
        { agent: 'desk', by: 'billing', tool: 'lookup_invoices', args: { customerId: 'cus_2002' }, result: TOMAS_INVOICES },
        {
          agent: 'desk',
          by: 'billing',
          tool: 'transfer_to_desk',
          args: { reason: 'The $312 overage is correct for the 1,520,000 calls counted in March; why their usage jumped is a technical question.' },
          result: transferred('desk'),
        },
        { agent: 'desk', tool: 'transfer_to_technical', args: { reason: 'Billing confirmed 1,520,000 API calls in March; find out why usage jumped.' }, result: transferred('technical') },
      ],
      modelCalls: { desk: 5 },
      decisions: {
        desk: {
          steps: 5,
          agent: 'technical',
          handoffs: [
            { from: 'desk', to: 'billing', reason: 'A question about a charge on the April invoice.' },
            { from: 'billing', to: 'desk', reason: 'The $312 overage is correct for the 1,520,000 calls counted in March; why their usage jumped is a technical question.' },
            { from: 'desk', to: 'technical', reason: 'Billing confirmed 1,520,000 API calls in March; find out why usage jumped.' },
          ],
        },
      },
      handoffs: [
        { from: 'desk', to: 'billing', reason: 'A question about a charge on the April invoice.', count: 1, history: 'full' },
        {
          from: 'billing',
          to: 'desk',
          reason: 'The $312 overage is correct for the 1,520,000 calls counted in March; why their usage jumped is a technical question.',
          count: 2,
          history: 'full',
          agent: 'billing',
          path: ['billing'],
        },
        { from: 'desk', to: 'technical', reason: 'Billing confirmed 1,520,000 API calls in March; find out why usage jumped.', count: 3, history: 'full' },
      ],
      output: { route: 'answered', customerId: 'cus_2002', team: 'technical', reply: OVERAGE_REPLY },
    },
    'follow-up-question': {
      branches: {},
      skipped: [],
      approvals: [
        {
          nodeId: 'desk',
          kind: 'question',
          message: CRASH_QUESTION,
          schema: { type: 'object', properties: { answer: { type: 'string', title: 'Your answer', minLength: 1 } }, required: ['answer'] },
          answer: { answer: CRASH_ANSWER },
        },
      ],
      toolCalls: [
        { agent: 'desk', tool: 'transfer_to_technical', args: { reason: 'The mobile app crashes: a technical question.' }, result: transferred('technical') },
        { agent: 'desk', by: 'technical', tool: 'ask_a_person', args: { question: CRASH_QUESTION }, result: { answer: CRASH_ANSWER } },
      ],
      modelCalls: { desk: 3 },
      decisions: { desk: { steps: 3, agent: 'technical', handoffs: [{ from: 'desk', to: 'technical', reason: 'The mobile app crashes: a technical question.' }] } },
      handoffs: [{ from: 'desk', to: 'technical', reason: 'The mobile app crashes: a technical question.', count: 1, history: 'full' }],
      output: { route: 'answered', customerId: 'cus_2001', team: 'technical', reply: CRASH_REPLY },
    },
  },
  'research-orchestrator.flow.json': {
    'parallel-workers': {
      branches: {},
      skipped: [],
      approvals: [],
      toolCalls: [
        { agent: 'lead', tool: 'web_researcher', args: { task: RESEARCHER_TASK }, result: RESEARCHER_FINDINGS },
        { agent: 'lead', tool: 'fact_checker', args: { task: CHECKER_TASK }, result: CHECKER_VERDICT },
        {
          agent: 'lead',
          by: 'web_researcher',
          tool: 'search_sources',
          args: { query: 'parcel lockers Europe growth share' },
          result: {
            query: 'parcel lockers Europe growth share',
            found: 3,
            results: [
              { ...LOCKERS_S1, matches: 5, snippet: expect.stringMatching(/^Europe had about 190,000 parcel lockers .*…$/) },
              { ...LOCKERS_S2, matches: 2, snippet: expect.stringMatching(/^Lockers are the future/) },
              { ...LOCKERS_S3, matches: 1, snippet: expect.stringMatching(/^Of 2,400 online shoppers/) },
            ],
          },
        },
        {
          agent: 'lead',
          by: 'fact_checker',
          tool: 'search_sources',
          args: { query: 'lockers half of all EU parcels 2026' },
          result: {
            query: 'lockers half of all EU parcels 2026',
            found: 2,
            results: [
              { ...LOCKERS_S2, matches: 5, snippet: expect.stringMatching(/^Lockers are the future/) },
              { ...LOCKERS_S1, matches: 2, snippet: expect.stringMatching(/^Europe had about 190,000/) },
            ],
          },
        },
        {
          agent: 'lead',
          by: 'fact_checker',
          tool: 'read_source',
          args: { id: 's-2' },
          result: { ...LOCKERS_S2, text: expect.stringContaining('This column reflects the views of its author.') },
        },
      ],
      modelCalls: { lead: 7 },
      // The lead's own turns; its workers' turns count in its usage (7 model calls), not here.
      decisions: { lead: { steps: 2 } },
      output: {
        question: 'Will parcel lockers really handle half of all EU parcels by 2026, as people say? How fast is the locker network actually growing?',
        answer: LOCKER_ANSWER,
        findings: [
          { claim: 'About 190,000 parcel lockers in Europe at the end of 2024, up from 131,000 at the end of 2022 (about 20% a year)', source: 's-1', holds: true },
          { claim: 'Lockers carried 7% of B2C parcels in the EU in 2024', source: 's-1', holds: true },
          { claim: 'Lockers will handle half of all EU parcels by 2026', source: 's-2', holds: false },
        ],
        confidence: 'high',
      },
    },
    'checker-fails': {
      branches: {},
      skipped: [],
      approvals: [],
      toolCalls: [
        { agent: 'lead', tool: 'web_researcher', args: { task: RESEARCHER_TASK }, result: RESEARCHER_FINDINGS },
        // A worker's failure is a tool error the lead reads, not the step's failure.
        { agent: 'lead', tool: 'fact_checker', args: { task: CHECKER_TASK }, result: { error: 'test provider: 400 The request was refused by the provider' } },
        {
          agent: 'lead',
          by: 'web_researcher',
          tool: 'search_sources',
          args: { query: 'parcel lockers Europe growth share' },
          result: expect.objectContaining({ found: 3, results: [expect.objectContaining(LOCKERS_S1), expect.objectContaining(LOCKERS_S2), expect.objectContaining(LOCKERS_S3)] }),
        },
      ],
      modelCalls: { lead: 5 },
      decisions: { lead: { steps: 2 } },
      output: {
        question: 'Will parcel lockers really handle half of all EU parcels by 2026, as people say? How fast is the locker network actually growing?',
        answer:
          'Probably not. Lockers carried 7% of B2C parcels in the EU in 2024 [s-1], and the network grew from about 131,000 lockers at the end of 2022 to about 190,000 at the end of 2024, roughly 20% a year [s-1]: fast, but far from half of all parcels within two years. We could not check where the "half by 2026" claim comes from: the fact check failed, so treat this answer as unconfirmed on that point.',
        findings: [
          { claim: 'About 190,000 parcel lockers in Europe at the end of 2024, up from 131,000 at the end of 2022 (about 20% a year)', source: 's-1', holds: true },
          { claim: 'Lockers carried 7% of B2C parcels in the EU in 2024', source: 's-1', holds: true },
        ],
        confidence: 'medium',
      },
    },
  },
  // One loop, "improve", drafts (or revises), reviews and repeats until the review passes, at most
  // 3 rounds: its body steps run once per round, so they count one model call per round.
  'content-pipeline.flow.json': {
    'passes-first-round': {
      branches: { quality_gate: 'passes' },
      skipped: ['needs_work', 'returned'],
      approvals: [
        {
          nodeId: 'approve',
          message:
            '"Stop paying twice for one parcel: validate addresses at checkout" passed review on the first draft, with a score of 8/10 and 1 minor note(s): Covers all four key points with sourced numbers, follows the house style and ends with a clear next step. Edit the title or body if you like, then approve to publish, or reject to send it back to the writer.',
          payload: { title: 'Stop paying twice for one parcel: validate addresses at checkout', body: PASSING_BODY },
        },
      ],
      toolCalls: [],
      modelCalls: { write: 1, review: 1 },
      rounds: { improve: 1 },
      decisions: { improve: { endedBy: 'condition', until: CONTENT_UNTIL, iterations: 1 } },
      output: {
        status: 'approved',
        rounds: 1,
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
    'passes-after-revision': {
      branches: { quality_gate: 'passes' },
      skipped: ['needs_work', 'returned'],
      approvals: [
        {
          nodeId: 'approve',
          message:
            '"Catch bad addresses at checkout, before they cost you twice" passed review in round 2, after 1 revision(s), with a score of 8/10 and 1 minor note(s): All four key points are covered with the brief\'s own figure, the banned phrases are gone, and it ends with a clear next step. ' +
            'Last changes: Removed the "73% fewer failed deliveries" claim, which the brief does not support, and used the 1-in-40 figure from the brief instead; ' +
            'Added a "Turn it on" section with the settings path and the soft and strict modes, ending on a next step; ' +
            'Removed the banned phrases "in today\'s fast-paced world", "game-changer", "revolutionize", "seamless" and "unlocks"; ' +
            "Opened with the reader's problem instead of a generic statement, and gave the title a concrete benefit. " +
            'Edit the title or body if you like, then approve to publish, or reject to send it back to the writer.',
          payload: { title: 'Catch bad addresses at checkout, before they cost you twice', body: REVISED_BODY },
        },
      ],
      toolCalls: [],
      modelCalls: { write: 2, review: 2 },
      rounds: { improve: 2 },
      decisions: { improve: { endedBy: 'condition', until: CONTENT_UNTIL, iterations: 2 } },
      output: {
        status: 'approved',
        rounds: 2,
        title: 'Catch bad addresses at checkout, before they cost you twice',
        body: REVISED_BODY,
        score: 8,
        reviewNotes: [
          {
            severity: 'minor',
            location: 'Turn it on, strict mode',
            problem: '"More than the extra step might" leaves the reader guessing what to compare.',
            fix: 'Say what to weigh: the returns and reshipments you pay for against orders that might stop at the confirmation step.',
          },
        ],
      },
    },
    'needs-work-after-three-rounds': {
      branches: { quality_gate: 'else' },
      skipped: ['approve', 'publish', 'returned'],
      approvals: [],
      toolCalls: [],
      modelCalls: { write: 3, review: 3 },
      rounds: { improve: 3 },
      decisions: { improve: { endedBy: 'maxIterations', until: CONTENT_UNTIL, iterations: 3, maxIterations: 3 } },
      output: {
        status: 'needs-work',
        rounds: 3,
        title: 'Soft or strict address validation: how to choose for your store',
        body: STRICT_LAST_BODY,
        review: {
          passes: false,
          score: 6,
          issues: [
            {
              severity: 'major',
              location: 'Whole article, against the goal',
              problem:
                'The goal asks for "the numbers that show what it changes for failed deliveries and checkout conversion", but the brief gives no such numbers, so the article cannot meet its goal without inventing them. This draft is accurate, and says so by sending the reader off to measure.',
              fix: 'Not fixable in the draft: add sourced figures to the brief (for example Parcelo data on failed deliveries and conversion for stores on strict mode), or change the goal to running the two-week comparison.',
            },
            {
              severity: 'minor',
              location: 'Try it and compare',
              problem: 'The comparison does not say which numbers to look at in Parcelo.',
              fix: 'Name where the reader finds failed deliveries and checkout conversion, once the brief says where.',
            },
          ],
          summary: 'Accurate and in house style now, but the brief has no figures for what its goal asks, so no rewrite can pass: the brief needs data or a new goal.',
        },
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

function toolCallsIn(events: RunEvent[]): Expected['toolCalls'] {
  const results = new Map(eventsOf(events, 'node.tool_result').map((e) => [e.data.toolCallId, e.data]));
  return eventsOf(events, 'node.tool_call').map((call) => {
    const result = results.get(call.data.toolCallId);
    return {
      agent: call.nodeId,
      ...(call.data.agent ? { by: call.data.agent } : {}),
      tool: call.data.tool,
      args: call.data.args,
      result: result?.error === undefined ? result?.result : { error: result.error },
    };
  });
}

/**
 * Tool calls by the agent that made them, each agent's in order. Workers run side by side, so
 * how their calls interleave is not fixed; each one's own calls, and the handoff order, are.
 */
function byAgent(calls: Expected['toolCalls']): Record<string, Expected['toolCalls']> {
  const grouped: Record<string, Expected['toolCalls']> = {};
  for (const call of calls) (grouped[`${call.agent}/${call.by ?? call.agent}`] ??= []).push(call);
  return grouped;
}

function decisionsIn(events: RunEvent[], nodeIds: string[]): Record<string, unknown> {
  return Object.fromEntries(
    eventsOf(events, 'node.completed')
      .filter((e) => nodeIds.includes(e.nodeId))
      .map((e) => [e.nodeId, e.data.decision]),
  );
}

/** Model calls by node id, summed over its runs: a body step completes once per round, each time with its path. */
function modelCallsIn(events: RunEvent[]): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const e of eventsOf(events, 'node.completed')) {
    if (e.data.usage.modelCalls > 0) calls[e.nodeId] = (calls[e.nodeId] ?? 0) + e.data.usage.modelCalls;
  }
  return calls;
}

/** Rounds per container: the distinct round numbers in its body steps' paths (`[container, round, step]`). */
function roundsIn(events: RunEvent[]): Record<string, number> {
  const rounds = new Map<string, Set<unknown>>();
  for (const e of eventsOf(events, 'node.completed')) {
    if (!e.path || e.path.length < 3) continue;
    const container = String(e.path[0]);
    if (!rounds.has(container)) rounds.set(container, new Set());
    rounds.get(container)!.add(e.path[1]);
  }
  return Object.fromEntries([...rounds].map(([container, seen]) => [container, seen.size]));
}

/** Tools and agents wired to an agent's tools or handoffs: they run inside the agent, not as steps. */
function attachedTools(flow: ExampleFlow): Set<string> {
  return new Set(flow.edges.filter((e) => e.sourceHandle === 'tool' || e.sourceHandle === 'agent').map((e) => e.source));
}

/** Approves each approval as is and answers each question as the sample's expectations say. */
function answering(want: Expected) {
  return (wait: PendingWait): Omit<Answer, 'waitId'> => {
    if (wait.kind !== 'question') return { approved: true, by: 'test' };
    const expected = want.approvals.find((a) => a.nodeId === wait.nodeId && a.kind === 'question');
    if (!expected || expected.kind !== 'question') throw new Error(`no answer for the question at "${wait.nodeId}": add it to the sample's approvals`);
    return { approved: true, by: 'test', answer: expected.answer };
  };
}

describe('the bundled examples', () => {
  it('are found in examples/', () => {
    expect(exampleFiles).toEqual(
      expect.arrayContaining(['support-triage.flow.json', 'support-handoffs.flow.json', 'content-pipeline.flow.json', 'research-agent.flow.json', 'research-orchestrator.flow.json']),
    );
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
    const commands = [...readme.matchAll(/trellis (?:-- )?run examples\/(\S+\.flow\.json)([^\n]*)/g)];
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
      // A body step's position is relative to its container: two steps share a spot only in the same one.
      const spots = new Set(flow.nodes.map((n) => `${n.parent ?? ''}:${n.position!.x},${n.position!.y}`));
      expect(spots.size, 'two nodes sit on the same spot').toBe(flow.nodes.length);
      for (const node of flow.nodes.filter((n) => n.parent)) {
        const container = flow.nodes.find((n) => n.id === node.parent);
        expect(container?.size, `container "${node.parent}" has no size`).toBeDefined();
        // A node is drawn about 200 by 80 from its corner: the container holds all of it.
        expect(node.position!.x, `"${node.id}" sticks out of "${node.parent}"`).toBeGreaterThanOrEqual(0);
        expect(node.position!.y, `"${node.id}" sticks out of "${node.parent}"`).toBeGreaterThanOrEqual(0);
        expect(node.position!.x + 200, `"${node.id}" sticks out of "${node.parent}"`).toBeLessThanOrEqual(container!.size!.width);
        expect(node.position!.y + 80, `"${node.id}" sticks out of "${node.parent}"`).toBeLessThanOrEqual(container!.size!.height);
      }
      for (const sample of flow.samples ?? []) expect(sample.description, `sample "${sample.name}" has no description`).toBeTruthy();
    });

    for (const sample of flow.samples ?? []) {
      it(`sample "${sample.name}" takes its path and produces its output`, async () => {
        const want = expected?.[sample.name];
        if (!want) throw new Error(`no expectations for sample "${sample.name}" of ${file}: add them to EXPECTATIONS`);
        const { result, events, waits } = await runSample(flow, sample, answering(want));

        expect(result.error).toBeUndefined();
        expect(result.status).toBe('succeeded');
        expect(branchesIn(flow, events)).toEqual(want.branches);
        expect(skippedIn(events)).toEqual([...want.skipped].sort());
        expect(
          waits.map((w) => (w.kind === 'question' ? { nodeId: w.nodeId, kind: w.kind, message: w.message, schema: w.schema } : { nodeId: w.nodeId, kind: w.kind, message: w.message, payload: w.payload })),
        ).toEqual(
          want.approvals.map((a) => (a.kind === 'question' ? { nodeId: a.nodeId, kind: a.kind, message: a.message, schema: a.schema } : { ...a, kind: 'approval' })),
        );
        expect(byAgent(toolCallsIn(events))).toEqual(byAgent(want.toolCalls));
        expect(toolCallsIn(events)).toHaveLength(want.toolCalls.length);
        expect(modelCallsIn(events)).toEqual(want.modelCalls);
        expect(roundsIn(events)).toEqual(want.rounds ?? {});
        if (want.decisions) expect(decisionsIn(events, Object.keys(want.decisions))).toEqual(want.decisions);
        expect(eventsOf(events, 'node.handoff').map((e) => e.data)).toEqual(want.handoffs ?? []);
        expect(result.output).toEqual(want.output);
        expect(eventsOf(events, 'run.completed')[0]?.data.output).toEqual(want.output);

        // Every step either ran or was skipped; tools ran only inside their agent.
        const tools = attachedTools(flow);
        const settled = new Set([...eventsOf(events, 'node.completed').map((e) => e.nodeId), ...skippedIn(events)]);
        expect([...settled].sort()).toEqual(flow.nodes.filter((n) => !tools.has(n.id)).map((n) => n.id).sort());
        expect(eventsOf(events, 'node.failed')).toEqual([]);
        // No sample may reach the network: agents only call the transform tools (other agents, and a person).
        for (const call of eventsOf(events, 'node.tool_call')) {
          const node = flow.nodes.find((n) => n.id === call.data.toolNodeId);
          if (node?.type === 'agent' || (call.data.tool === 'ask_a_person' && node === undefined)) continue;
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
    expect(skippedIn(events)).toEqual(['refuse_secret', 'hold_reply', 'investigate', 'investigation', 'send_approved', 'send_reply'].sort());
    const completed = eventsOf(events, 'node.completed').map((e) => e.nodeId);
    expect(completed).not.toContain('send_approved');
    expect(eventsOf(events, 'node.completed').find((e) => e.nodeId === 'approve_reply')?.data.ports).toEqual(['rejected']);
  });

  it('a sign-off the editor rejects after two rounds returns the piece, with the last review and the editor\'s decision', async () => {
    const flow = loadExample('content-pipeline.flow.json');
    const comment = 'Still too thin on the cost section.';
    const { result, events, waits } = await runSample(flow, sampleOf(flow, 'passes-after-revision'), () => ({ approved: false, by: 'test', comment }));

    expect(waits.map((w) => w.nodeId)).toEqual(['approve']);
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({
      status: 'needs-work',
      rounds: 2,
      title: 'Catch bad addresses at checkout, before they cost you twice',
      review: expect.objectContaining({ passes: true, score: 8, issues: [expect.objectContaining({ severity: 'minor', location: 'Turn it on, strict mode' })] }),
      editor: {
        approved: false,
        payload: { title: 'Catch bad addresses at checkout, before they cost you twice', body: REVISED_BODY },
        comment,
        by: 'test',
      },
    });
    expect(decisionsIn(events, ['improve'])).toEqual({ improve: { endedBy: 'condition', until: CONTENT_UNTIL, iterations: 2 } });
    expect(skippedIn(events)).toEqual(['needs_work', 'publish']);
    expect(eventsOf(events, 'node.completed').find((e) => e.nodeId === 'approve')?.data.ports).toEqual(['rejected']);
  });

  it("the content pipeline's writer drafts in round 1 and, from round 2, revises the last draft from the review's findings", async () => {
    const flow = loadExample('content-pipeline.flow.json');
    const sample = sampleOf(flow, 'needs-work-after-three-rounds');
    const { models, calls } = recording();
    const result = await new Engine({ store: new MemoryCheckpointStore(), models }).start(flow, { input: sample.input, mocks: sample.mocks });

    expect(result.status).toBe('succeeded');
    const prompts = calls.map((c) => ({ nodeId: c.nodeId, text: JSON.stringify(c.prompt) }));
    expect(prompts.map((p) => p.nodeId)).toEqual(['write', 'review', 'write', 'review', 'write', 'review']);
    const [first, second, third] = prompts.filter((p) => p.nodeId === 'write').map((p) => p.text);
    expect(first).toContain('Write a blog article from this brief.');
    expect(first).not.toContain('Revise this draft');
    expect(second).toContain('Revise this draft so it passes editorial review. This is round 2.');
    expect(second).toContain('Title: Strict mode: 40% fewer failed deliveries for under 1% of orders');
    expect(second).toContain('The editor scored it 4/10: Not publishable: both numbers the argument rests on are invented, and a banned phrase.');
    expect(second).toContain('- [major] The real cost at checkout, last sentence: Banned phrase: \\"seamless\\". Fix:');
    expect(third).toContain('This is round 3.');
    expect(third).toContain('The editor scored it 5/10: The invented figures are gone');
    // The review reads this round's draft.
    const reviews = prompts.filter((p) => p.nodeId === 'review').map((p) => p.text);
    expect(reviews[2]).toContain('Title: Soft or strict address validation: how to choose for your store');
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

describe('guardrails in the examples', () => {
  it('no model sees what the ticket screen redacted: the card number and e-mail address reach the prompts as [CARD] and [EMAIL]', async () => {
    const flow = loadExample('support-triage.flow.json');
    const sample = sampleOf(flow, 'card-number-redacted');
    const { models, calls } = recording();
    const engine = new Engine({ store: new MemoryCheckpointStore(), models });
    const result = await engine.start(flow, { input: sample.input, mocks: sample.mocks });

    expect(result.status).toBe('succeeded');
    const prompts = calls.map((c) => ({ nodeId: c.nodeId, text: JSON.stringify(c.prompt) }));
    expect(prompts.map((p) => p.nodeId)).toEqual(['classify', 'draft_reply']);
    for (const { nodeId, text } of prompts) {
      expect(text, `${nodeId} saw the card number`).not.toContain('4242');
      expect(text, `${nodeId} saw the customer's own e-mail line`).not.toContain('reach me at priya@');
      expect(text).toContain('on our card [CARD] (the $49 charge');
      expect(text).toContain('You can reach me at [EMAIL]. Thanks, Priya');
    }
  });
});

describe('agents with agents in the examples', () => {
  it('the research lead calls both workers in one turn, and they run side by side before it answers', async () => {
    const flow = loadExample('research-orchestrator.flow.json');
    const { result, events } = await runSample(flow, sampleOf(flow, 'parallel-workers'));
    expect(result.status).toBe('succeeded');

    const calls = eventsOf(events, 'node.tool_call');
    const workerCalls = calls.filter((e) => ['web_researcher', 'fact_checker'].includes(e.data.tool));
    expect(workerCalls.map((e) => [e.data.tool, e.data.agent])).toEqual([['web_researcher', undefined], ['fact_checker', undefined]]);
    // Both from the lead's first model turn: one turn asked for both.
    expect(new Set(workerCalls.map((e) => e.data.toolCallId.replace(/-\d+$/, ''))).size).toBe(1);
    // Each worker's own turns are tagged with it and with the call that started it; both started before either finished.
    const firstResult = events.findIndex((e) => e.type === 'node.tool_result' && ['web_researcher', 'fact_checker'].includes(e.data.tool));
    for (const worker of ['web_researcher', 'fact_checker']) {
      const call = workerCalls.find((e) => e.data.tool === worker)!;
      const own = calls.filter((e) => e.data.agent === worker);
      expect(own.length).toBeGreaterThan(0);
      for (const e of own) expect(e.data).toMatchObject({ path: [worker], call: call.data.toolCallId });
      expect(events.indexOf(own[0]!)).toBeLessThan(firstResult);
    }
    // The lead answered once both results were in: its last turn comes after both.
    const results = eventsOf(events, 'node.tool_result').filter((e) => ['web_researcher', 'fact_checker'].includes(e.data.tool));
    expect(results.map((e) => e.data.tool).sort()).toEqual(['fact_checker', 'web_researcher']);
    const lastLeadText = events.findLastIndex((e) => e.type === 'node.delta' && e.nodeId === 'lead' && !e.data.agent);
    for (const r of results) expect(events.indexOf(r)).toBeLessThan(lastLeadText);
  });
});

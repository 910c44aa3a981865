/**
 * Talking to runner processes (`trellis serve` started by the test) over HTTP, as a client
 * would: the durability and scale-out tests share these.
 */

export type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

/** One request; the body parsed as JSON (`{}` when empty). */
export async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const res = await fetch(url + path, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
}

/** Polls `check` every 25 ms until it gives a value; fails naming `what` after `ms`. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 40_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A run's whole trace, read through a runner. */
export const eventsOf = async (url: string, runId: string) => (await call(url, 'GET', `/api/runs/${runId}/events?limit=5000`)).body.items as Body[];

/** The nodes whose steps completed, in trace order. */
export const completedOf = (events: Body[]) => events.filter((e) => e.type === 'node.completed').map((e) => e.nodeId as string);

/** input → `count` slow prompts in a chain (each mock reply takes `delayMs`) → output: a run that is mid-way for a while. */
export function slowChain(count: number, delayMs: number) {
  const prompts = Array.from({ length: count }, (_, i) => `s${i + 1}`);
  const last = prompts.at(-1)!;
  return {
    flow: {
      schema: 'trellis.flow/v1',
      id: 'slow-chain',
      name: 'Slow chain',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        ...prompts.map((id) => ({ id, type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:slow', prompt: { template: `step ${id}` } } })),
        { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: { last: `{{ nodes.${last}.output }}` } } },
      ],
      edges: ['in', ...prompts].map((source, i) => ({ id: `e${i}`, source, sourceHandle: 'out', target: [...prompts, 'out'][i], targetHandle: 'in' })),
    },
    mocks: Object.fromEntries(prompts.map((id) => [id, { text: `done ${id}`, delayMs }])),
    /** Every step of a run, in order. */
    steps: ['in', ...prompts, 'out'],
    /** What the run answers. */
    output: { last: `done ${last}` },
  };
}

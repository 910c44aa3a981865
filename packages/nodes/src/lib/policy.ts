import type { NodePolicy } from '@trellis/schema';

/** Defaults by what a kind does: model calls get time and retries, pure steps get neither. */
export const modelPolicy: Required<NodePolicy> = { timeoutMs: 120_000, retries: 2, backoffMs: 1_000 };
export const pureStepPolicy: Required<NodePolicy> = { timeoutMs: 10_000, retries: 0, backoffMs: 0 };
export const networkPolicy: Required<NodePolicy> = { timeoutMs: 30_000, retries: 2, backoffMs: 500 };
/** A person may take days; their answer, not a timer of the engine's, ends the wait. */
export const humanPolicy: Required<NodePolicy> = { timeoutMs: 10_000, retries: 0, backoffMs: 0 };
/**
 * A container's own bound covers every round of its body (each body step keeps its own): a long
 * map of model calls must not be cut off at a step's usual timeout, and it is not retried whole.
 */
export const containerPolicy: Required<NodePolicy> = { timeoutMs: 86_400_000, retries: 0, backoffMs: 0 };

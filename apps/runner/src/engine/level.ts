import { setMaxListeners } from 'node:events';
import type { ErrorInfo } from '@trellis/schema';
import { TrellisError, normalizeError, type BodyLocals, type BodyResult } from '@trellis/nodes/server';
import type { NodeState } from './checkpoint.js';
import { collectOutput } from './run-result.js';
import type { StepRunner } from './step-runner.js';
import { isPureStep, type ExecutionDeps } from './types.js';
import type { Journal } from './journal.js';

/**
 * Node states are kept by key: a step of the flow's own level by its id, a step inside a body by
 * its containers, rounds and id joined with this (`summarise.3.draft`), so every round of a
 * body has its own checkpoint. Node ids never contain it.
 */
export const KEY_SEPARATOR = '.';

/** The key of the flow-level container a body step's key belongs to (the key itself at the top). */
export function outermostOf(key: string): string {
  const at = key.indexOf(KEY_SEPARATOR);
  return at < 0 ? key : key.slice(0, at);
}

/** A state key as events name it: the node's own id, and inside a body its path (`a.1.b` → `b`, `["a", 1, "b"]`). */
export function eventPlace(key: string): { nodeId: string; path?: (string | number)[] } {
  const parts = key.split(KEY_SEPARATOR);
  if (parts.length === 1) return { nodeId: key };
  return { nodeId: parts.at(-1)!, path: parts.map((part, i) => (i % 2 === 1 ? Number(part) : part)) };
}

/** The keys of the containers around a body step's key, outermost first: `a.1.b.2.c` → `a`, `a.1.b`. */
export function containersOf(key: string): string[] {
  const parts = key.split(KEY_SEPARATOR);
  const found: string[] = [];
  for (let i = 1; i < parts.length; i += 2) found.push(parts.slice(0, i).join(KEY_SEPARATOR));
  return found;
}

/** What a level needs of the run it belongs to. */
export interface LevelRun {
  readonly deps: ExecutionDeps;
  /** Every node state of the run, by key. */
  readonly nodes: Map<string, NodeState>;
  readonly journal: Journal;
  readonly steps: StepRunner;
  isDraining(): boolean;
  /** The run is over for its store (a write failed for good): nothing more can happen. */
  isLost(): boolean;
}

export interface LevelOptions {
  /** The node ids of this level: the flow's own steps, or a container's body. */
  ids: readonly string[];
  /** `''` at the top; `map1.3.` inside round 3 of `map1`. */
  prefix: string;
  /** `[]` at the top; `['map1', 3]` inside round 3 of `map1`. */
  path: readonly (string | number)[];
  /** The outputs its templates see as `nodes.<id>.output`: the outer ones and this level's own. */
  scopeNodes: Record<string, { output: unknown }>;
  locals: BodyLocals;
  /** Aborting it stops the level's steps (the run's at the top; a round's inside a body). */
  controller: AbortController;
  /** The level around this one, whose stopping stops this one. */
  parent?: Level;
  mockOffset?: number;
}

/**
 * One level of a run being walked: the flow's own steps, or one round of a container's body. It
 * decides which of its steps are ready (or skipped), starts them, and knows when it is done. A
 * step that fails for good stops its level: at the top that fails the run; inside a body it
 * fails the round, and the container decides what that means.
 */
export class Level {
  readonly prefix: string;
  readonly path: readonly (string | number)[];
  readonly scopeNodes: Record<string, { output: unknown }>;
  readonly locals: BodyLocals;
  /** Where its steps' mock lists start: the round's place among its container's rounds (0 at the top). */
  readonly mockOffset: number;
  /** The first failure of a step of this level, unless the level was already stopping. */
  failure: { error: ErrorInfo } | undefined;
  /** Nodes that may have become ready: the pending successors of whatever settled last. */
  private readonly candidates = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** How many of the steps in flight are pure: quick, and their starts not stored yet. */
  private pureInFlight = 0;
  private readonly controller: AbortController;
  private readonly parent: Level | undefined;
  private signalled = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly run: LevelRun,
    private readonly options: LevelOptions,
  ) {
    this.prefix = options.prefix;
    this.path = options.path;
    this.scopeNodes = options.scopeNodes;
    this.locals = options.locals;
    this.mockOffset = options.mockOffset ?? 0;
    this.controller = options.controller;
    this.parent = options.parent;
    // Every step in flight at the top listens for the run's stop: there is no leak to warn of. (A
    // round's steps are few, and the call is not free on a thousand rounds.)
    if (!this.parent) setMaxListeners(0, this.controller.signal);
    for (const id of options.ids) {
      const key = this.key(id);
      let state = run.nodes.get(key);
      if (!state) run.nodes.set(key, (state = { status: 'pending', attempts: 0 }));
      if (state.status === 'succeeded') this.scopeNodes[id] = { output: state.output };
      if (state.status === 'pending' || state.status === 'running') this.candidates.add(id);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  key(id: string): string {
    return this.prefix + id;
  }

  state(id: string): NodeState {
    return this.run.nodes.get(this.key(id))!;
  }

  /** Where a step of this level sits, for its events: absent at the top. */
  pathOf(id: string): (string | number)[] | undefined {
    return this.path.length ? [...this.path, id] : undefined;
  }

  /** Its steps stop being started: the level (or one around it) failed or was stopped. */
  stopping(): boolean {
    return this.failure !== undefined || this.controller.signal.aborted || (this.parent?.stopping() ?? false) || this.run.isLost();
  }

  /** A step failed for good: the level stops, and fails unless it was stopping already. */
  fail(id: string, error: ErrorInfo, wasStopping: boolean): void {
    if (!wasStopping && !this.failure) this.failure = { error };
    this.controller.abort(new TrellisError('aborted', `stopped because step "${id}" failed`));
  }

  /** A step completed: its successors may be ready. */
  completed(id: string): void {
    this.addSuccessors(id);
  }

  /** A step is left for later (drained in its backoff, or its body drained): it stays a candidate. */
  postpone(id: string): void {
    this.candidates.add(id);
  }

  /** Adds a step to look at (one a person's answer woke). */
  reconsider(id: string): void {
    this.candidates.add(id);
    this.poke();
  }

  poke(): void {
    this.signalled = true;
    this.wake?.();
    this.wake = undefined;
  }

  /** Runs the level's steps until none is in flight and none can start. */
  async walk(): Promise<void> {
    for (;;) {
      if (!this.stopping() && !this.run.isDraining()) this.schedule();
      // When nothing runs any more, whoever walks the level commits what is left.
      if (this.inFlight.size === 0) break;
      // What happened since the last commit (completions, skips) that no step's start carried;
      // unless a pure step is in flight: it ends in a moment, and this loop comes back.
      if (this.pureInFlight === 0) await this.run.journal.commit();
      if (!this.signalled) await new Promise<void>((resolve) => (this.wake = resolve));
      this.signalled = false;
    }
  }

  /** After a drain: whether some step could still be taken (or skipped) now, so the level is not over. */
  hasStepsLeft(): boolean {
    for (const id of this.candidates) {
      if (this.state(id).status === 'pending' && this.readiness(id) !== 'blocked') return true;
    }
    return false;
  }

  /** How the level ended, as its container hears it. */
  result(): BodyResult {
    if (this.failure) return { status: 'failed', error: this.failure.error };
    let waiting = false;
    let open = false;
    for (const id of this.options.ids) {
      const state = this.state(id);
      // A round run again after it failed (the container resumed) fails the same way.
      if (state.status === 'failed') return { status: 'failed', error: state.error ?? { code: 'failed', message: `step "${id}" failed` } };
      if (state.status === 'waiting') waiting = true;
      else if (state.status !== 'succeeded' && state.status !== 'skipped') open = true;
    }
    if (waiting) return { status: 'waiting' };
    if (open) return { status: 'stopped' };
    const { graph, kinds } = this.run.deps;
    return { status: 'succeeded', output: collectOutput(this.options.ids.map((id) => [id, this.state(id)] as const), graph, kinds) };
  }

  /** Starts every candidate whose incoming edges are settled; skips those no taken edge reaches. */
  private schedule(): void {
    const { journal } = this.run;
    for (const id of this.candidates) {
      if (this.inFlight.size >= this.run.deps.maxConcurrency) return;
      const state = this.state(id);
      this.candidates.delete(id);
      if (state.status !== 'pending' || this.inFlight.has(id)) continue;
      const readiness = this.readiness(id);
      if (readiness === 'blocked') continue; // a predecessor will add it back when it settles
      if (readiness === 'skip') {
        state.status = 'skipped';
        journal.touch(this.key(id));
        journal.emit('node.skipped', id, { reason: 'no branch leading here was taken' }, this.pathOf(id));
        this.addSuccessors(id); // Set iteration visits entries added during the loop
        continue;
      }
      const pure = isPureStep(this.run.deps, id);
      if (pure) this.pureInFlight++;
      const step = this.run.steps
        .run(this, id, pure)
        .catch((error: unknown) => {
          // A lost write stopped the run already (the journal said so); anything else fails the step.
          if (journal.lost !== undefined) return;
          const err = normalizeError(error);
          state.status = 'failed';
          state.error = { code: err.code, message: err.message, nodeId: id };
          journal.touch(this.key(id));
          this.fail(id, state.error, this.stopping());
        })
        .finally(() => {
          this.inFlight.delete(id);
          if (pure) this.pureInFlight--;
          this.poke();
        });
      this.inFlight.set(id, step);
    }
  }

  /** A node can run once all its incoming edges are settled; it is skipped if none of them was taken. */
  private readiness(id: string): 'run' | 'skip' | 'blocked' {
    const incoming = this.run.deps.graph.incoming.get(id)!;
    let taken = incoming.length === 0;
    for (const edge of incoming) {
      const source = this.state(edge.source);
      if (source.status === 'succeeded') taken ||= source.ports?.includes(edge.sourceHandle) ?? false;
      else if (source.status !== 'skipped') return 'blocked';
    }
    return taken ? 'run' : 'skip';
  }

  private addSuccessors(id: string): void {
    for (const edge of this.run.deps.graph.outgoing.get(id)!) this.candidates.add(edge.target);
  }
}

/**
 * Runs one round of a container's body, as a level inside `level` (the container's own): its
 * steps keyed under the round, the outer outputs in scope with the round's locals, stopped by
 * any of `signals` (the container's step's, and one its executor gives).
 */
export async function runRound(run: LevelRun, level: Level, containerId: string, round: number, locals: BodyLocals, signals: readonly AbortSignal[]): Promise<BodyResult> {
  const controller = new AbortController();
  const stops = signals.map((signal) => {
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    return () => signal.removeEventListener('abort', onAbort);
  });
  try {
    const body = new Level(run, {
      ids: run.deps.graph.levels.get(containerId) ?? [],
      prefix: `${level.prefix}${containerId}${KEY_SEPARATOR}${round}${KEY_SEPARATOR}`,
      path: [...level.path, containerId, round],
      // A round sees what ran before its container; its own steps' outputs are its own.
      scopeNodes: { ...level.scopeNodes },
      locals: { ...level.locals, ...locals },
      controller,
      parent: level,
      // A map's item i and a loop's iteration i + 1 are the round's place.
      mockOffset: locals.index ?? (locals.iteration === undefined ? round : locals.iteration - 1),
    });
    await body.walk();
    return body.result();
  } finally {
    for (const stop of stops) stop();
  }
}

import { RELEASE_SYNC, newQuickJSWASMModule, newVariant, type CustomizeVariantOptions, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import { TrellisError } from '../errors.js';

/**
 * The code tool's sandbox: a JavaScript function body run by QuickJS compiled to WebAssembly.
 * The code sees only the VM's own globals (no process, require, fetch, timers, modules or files);
 * JSON goes in as a string and comes out as a string, so no host object ever enters the VM. Each
 * call gets a fresh runtime with a memory limit, a stack limit and an interrupt handler that stops
 * it at its deadline or when the signal aborts. Nothing here evaluates code on the host.
 *
 * The VM runs on the calling thread: a synchronous loop holds the thread until its deadline, so
 * callers keep `timeoutMs` small. Async bodies (`await`) run their jobs in batches, yielding to
 * the host between batches, so an abort is seen mid-loop there.
 */
export interface RunCodeOptions {
  /** The body of `async function (args) { … }`. */
  code: string;
  /** Passed as `args` (a JSON value). */
  args: unknown;
  timeoutMs: number;
  memoryBytes: number;
  /** The largest result, as JSON text in UTF-8 bytes. */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

export interface ConsoleLine {
  level: 'log' | 'info' | 'warn' | 'error';
  text: string;
}

export interface RunCodeResult {
  result: unknown;
  console: ConsoleLine[];
}

/** At most this many console lines are kept, each cut to this many characters. */
export const MAX_CONSOLE_LINES = 200;
export const MAX_CONSOLE_LINE_CHARS = 2_000;
/** The VM's own stack, well under the host's: deep recursion ends as a catchable VM error. */
const MAX_STACK_BYTES = 512 * 1024;
/** Promise jobs run per batch before the host looks at the clock and the signal again. */
const JOB_BATCH = 1_000;
const FILENAME = 'code.js';
export const DEFAULT_MEMORY_BYTES = 32 * 1024 * 1024;
/** The body starts on the second line of the wrapper: VM line numbers are one past the body's. */
const WRAPPER_LINES_BEFORE = 1;

const wrap = (code: string) => `(async function (args) {\n${code}\n})`;

// QuickJS's own memory limit bounds each single allocation, but in this build it counts only a
// few bytes per block towards the total (it cannot measure block sizes), so a loop of
// allocations passes it. The hard bound is the WebAssembly memory itself: each module gets a
// memory that cannot grow past the limit plus room for QuickJS itself, and an allocation past
// that fails inside the VM as "out of memory". Modules are kept per limit (a few), reused by
// calls one after another (runs take turns, see `turn`).
// A module whose VM ran out of memory can be left in a state where freeing the runtime aborts
// it; it is dropped (its memory is garbage-collected with it) and the next call loads a fresh one.
const WASM_PAGE = 64 * 1024;
/** QuickJS's static data, its C stack and an empty runtime fit in this; the code's memory comes on top. */
const MODULE_BASE_BYTES = 16 * 1024 * 1024;
const MODULES_KEPT = 2;
// The WebAssembly global, which this package's type library (node, no DOM) does not declare.
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => object } }).WebAssembly.Memory;
const modules = new Map<number, { loading: Promise<QuickJSWASMModule>; module?: QuickJSWASMModule }>();

export function loadSandbox(memoryBytes = DEFAULT_MEMORY_BYTES): Promise<QuickJSWASMModule> {
  const kept = modules.get(memoryBytes);
  if (kept) return kept.loading;
  const maximum = Math.ceil((memoryBytes + MODULE_BASE_BYTES) / WASM_PAGE); // pages
  const wasmMemory = new WasmMemory({ initial: MODULE_BASE_BYTES / WASM_PAGE, maximum }) as CustomizeVariantOptions['wasmMemory'];
  const entry: { loading: Promise<QuickJSWASMModule>; module?: QuickJSWASMModule } = {
    loading: newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory })).then((module) => (entry.module = module)),
  };
  entry.loading.catch(() => modules.get(memoryBytes) === entry && modules.delete(memoryBytes));
  modules.set(memoryBytes, entry);
  for (const key of modules.keys()) if (modules.size > MODULES_KEPT && key !== memoryBytes) modules.delete(key);
  return entry.loading;
}

/** Whether the module's memory has grown to within a page or two of its cap. */
function heapFull(module: QuickJSWASMModule, memoryBytes: number): boolean {
  const cap = Math.ceil((memoryBytes + MODULE_BASE_BYTES) / WASM_PAGE) * WASM_PAGE;
  return module.getWasmMemory().buffer.byteLength >= cap - 2 * WASM_PAGE;
}

/** A loaded module, for syntax checks (which need one at hand, synchronously). */
function anyLoaded(): QuickJSWASMModule | undefined {
  for (const entry of modules.values()) if (entry.module) return entry.module;
  return undefined;
}

function discardModule(module: QuickJSWASMModule) {
  for (const [key, entry] of modules) if (entry.module === module) modules.delete(key);
}

/**
 * The VM-side half, evaluated before the user's code (so what the code redefines later, such as
 * JSON or Promise, cannot change how its arguments are read or its result written). `send` is
 * the only host function the VM gets: it copies two strings out and is reachable only from this
 * closure. Console arguments are formatted and cut inside the VM, so a huge line never crosses.
 */
const PRELUDE = `(function (send, maxChars) {
  var stringify = JSON.stringify, parse = JSON.parse, then = Promise.prototype.then, resolve = Promise.resolve.bind(Promise);
  function show(v) {
    if (typeof v === 'string') return v;
    try { var s = stringify(v); return s === undefined ? String(v) : s; } catch (e) { return String(v); }
  }
  function line(level) {
    return function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      var text = parts.join(' ');
      send(level, text.length > maxChars ? text.slice(0, maxChars) + '…' : text);
    };
  }
  globalThis.console = { log: line('log'), info: line('info'), warn: line('warn'), error: line('error'), debug: line('log') };
  return {
    start: function (fn, argsJson) {
      var state = { settled: false, ok: false, value: undefined };
      then.call(then.call(resolve(undefined), function () { return fn(parse(argsJson)); }),
        function (value) { state.settled = true; state.ok = true; state.value = value; },
        function (error) { state.settled = true; state.error = error; });
      return state;
    },
    settled: function (state) { return state.settled === true; },
    ok: function (state) { return state.ok === true; },
    // The result as JSON text, or a short reason it has none.
    // A string longer than the cap is refused before it is copied again by stringify.
    output: function (state, maxLength) {
      var v = state.value, t = typeof v;
      if (v === undefined) return { why: 'returned undefined (add a return statement)' };
      if (t === 'function' || t === 'symbol' || t === 'bigint') return { why: 'returned a ' + t };
      if (t === 'string' && v.length > maxLength) return { tooLarge: true };
      var json;
      try { json = stringify(v); } catch (e) {
        if (e && e.name === 'InternalError') throw e; // out of memory, interrupted: not the value's fault
        return { why: 'returned a value JSON cannot hold (' + show(e && e.message) + ')' };
      }
      if (typeof json !== 'string') return { why: 'returned a value JSON cannot hold' };
      return { json: json };
    },
    error: function (state) { return state.error; },
  };
})`;

// Runs take turns. Synchronous code holds the thread anyway; taking turns also keeps async
// bodies (which yield between job batches) from sharing a module's memory cap with another run,
// or from running on a module another run's out-of-memory is about to drop.
let turn: Promise<void> = Promise.resolve();

/** Runs the code; throws a TrellisError (code_*) a person can act on. */
export async function runCode(options: RunCodeOptions): Promise<RunCodeResult> {
  const previous = turn;
  let done!: () => void;
  turn = new Promise((resolve) => (done = resolve));
  try {
    await previous;
    return await runInVm(options);
  } finally {
    done();
  }
}

async function runInVm(options: RunCodeOptions): Promise<RunCodeResult> {
  const { signal } = options;
  if (signal?.aborted) throw aborted();
  const argsJson = JSON.stringify(options.args ?? null);
  // The VM holds the JSON text and what it parses into: arguments near the limit cannot fit.
  if (argsJson.length * 2 > options.memoryBytes) {
    throw new TrellisError('code_memory', `the arguments (${megabytes(argsJson.length)} MB of JSON) do not fit in the code's ${megabytes(options.memoryBytes)} MB of memory; pass less, or raise memoryMb`);
  }
  const module = await loadSandbox(options.memoryBytes);
  if (signal?.aborted) throw aborted();

  const consoleLines: ConsoleLine[] = [];
  let dropped = 0;
  let stopped: 'timeout' | 'aborted' | undefined;
  const deadline = Date.now() + options.timeoutMs;

  const runtime = module.newRuntime();
  runtime.setMemoryLimit(options.memoryBytes);
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  // Called regularly while VM code runs: true stops it. Once stopped it stays stopped, so code
  // that catches the interrupt is interrupted again at its next step.
  runtime.setInterruptHandler(() => {
    if (!stopped && signal?.aborted) stopped = 'aborted';
    if (!stopped && Date.now() > deadline) stopped = 'timeout';
    return stopped !== undefined;
  });
  const vm = runtime.newContext();
  const handles: QuickJSHandle[] = [];
  const keep = (h: QuickJSHandle) => (handles.push(h), h);
  let outOfMemory = false;

  /** Turns a VM failure into the error the caller sees. */
  const failure = (errorHandle: QuickJSHandle | undefined, fallback: string, compiling = false): TrellisError => {
    if (stopped === 'timeout') return new TrellisError('code_timeout', `the code ran longer than ${options.timeoutMs} ms and was stopped`);
    if (stopped === 'aborted') return aborted();
    const error: VmError = errorHandle ? readError(vm, errorHandle) : { name: 'Error', message: fallback, unreadable: true };
    // Out of memory, the error itself may not be readable (reading it allocates): then a heap
    // grown to its cap says it. (Only then: the heap never shrinks, so after one large run it
    // stays at its cap while later runs fail for their own reasons.)
    if ((error.name === 'InternalError' && /out of memory/i.test(error.message)) || (error.unreadable && heapFull(module, options.memoryBytes))) {
      outOfMemory = true;
      return new TrellisError('code_memory', `the code used more than ${megabytes(options.memoryBytes)} MB of memory and was stopped`);
    }
    if (/stack overflow|maximum call stack/i.test(error.message)) {
      return new TrellisError('code_error', `the code recursed too deeply (stack overflow)${at(error.line)}`);
    }
    if (compiling && error.name === 'SyntaxError') return new TrellisError('code_syntax', `the code does not parse: ${error.message}${at(error.line)}`);
    return new TrellisError('code_error', `the code threw ${error.name}: ${error.message}${at(error.line)}`);
  };

  try {
    const send = keep(
      vm.newFunction('send', (levelHandle, textHandle) => {
        if (consoleLines.length >= MAX_CONSOLE_LINES) return void dropped++;
        const level = vm.typeof(levelHandle) === 'string' ? vm.getString(levelHandle) : 'log';
        const text = vm.typeof(textHandle) === 'string' ? vm.getString(textHandle) : '';
        consoleLines.push({ level: isLevel(level) ? level : 'log', text: text.slice(0, MAX_CONSOLE_LINE_CHARS + 1) });
      }),
    );
    const prelude = vm.evalCode(PRELUDE, 'prelude.js', { type: 'global', strict: true });
    if (prelude.error) throw failure(keep(prelude.error), 'the sandbox did not start');
    const helpers = keep(prelude.value);
    const made = vm.callFunction(helpers, vm.undefined, send, keep(vm.newNumber(MAX_CONSOLE_LINE_CHARS)));
    if (made.error) throw failure(keep(made.error), 'the sandbox did not start');
    const api = keep(made.value);
    const call = (name: string, ...args: QuickJSHandle[]) => {
      const r = vm.callMethod(api, name, args);
      if (r.error) throw failure(keep(r.error), `the sandbox failed (${name})`);
      return keep(r.value);
    };

    const compiled = vm.evalCode(wrap(options.code), FILENAME, { type: 'global' });
    if (compiled.error) {
      keep(compiled.error);
      throw failure(compiled.error, 'the code does not parse', true);
    }
    const fn = keep(compiled.value);
    const state = call('start', fn, keep(vm.newString(argsJson)));

    // Run the promise jobs (the body itself, then whatever it awaits) until it settles.
    for (let batch = 0; ; batch++) {
      const jobs = runtime.executePendingJobs(JOB_BATCH);
      if (jobs.error) throw failure(keep(jobs.error), 'the code failed');
      if (stopped) throw failure(undefined, '');
      if (vm.dump(call('settled', state)) === true) break;
      if (!runtime.hasPendingJob()) {
        throw new TrellisError('code_error', 'the code awaited something that never finished (there are no timers or I/O in the sandbox)');
      }
      // Let the host breathe: an abort or a timer fired meanwhile is seen by the interrupt handler.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw aborted();
    }

    if (vm.dump(call('ok', state)) !== true) throw failure(call('error', state), 'the code threw');
    const output = call('output', state, keep(vm.newNumber(options.maxOutputBytes)));
    if (vm.dump(keep(vm.getProp(output, 'tooLarge'))) === true) throw tooLarge(options.maxOutputBytes);
    const why = keep(vm.getProp(output, 'why'));
    if (vm.typeof(why) === 'string') throw new TrellisError('code_not_json', `the code must return a JSON value, but it ${vm.getString(why)}`);
    const json = keep(vm.getProp(output, 'json'));
    // Measured before it is copied out: a string's length is its size in UTF-16 units, at most its UTF-8 bytes.
    const length = vm.getNumber(keep(vm.getProp(json, 'length')));
    if (length > options.maxOutputBytes) throw tooLarge(options.maxOutputBytes);
    const text = vm.getString(json);
    if (Buffer.byteLength(text) > options.maxOutputBytes) throw tooLarge(options.maxOutputBytes);
    if (dropped > 0) consoleLines.push({ level: 'warn', text: `… ${dropped} more console lines were dropped` });
    return { result: JSON.parse(text) as unknown, console: consoleLines };
  } catch (error) {
    // A host-side failure of the VM (for example its memory limit hit while copying arguments in).
    const known = TrellisError.isInstance(error) ? error : failure(undefined, error instanceof Error ? error.message : String(error));
    // What the code printed before it failed is often why: it travels with the error.
    throw consoleLines.length === 0 ? known : new TrellisError(known.code, known.message, { details: { console: consoleLines } });
  } finally {
    release(module, vm, runtime, handles, outOfMemory);
  }
}

/**
 * Frees the VM. After an out-of-memory the runtime is not freed: QuickJS may abort while doing
 * so, taking the module with it. The module is dropped instead and its memory goes with it.
 */
function release(module: QuickJSWASMModule, vm: QuickJSContext, runtime: { dispose(): void }, handles: QuickJSHandle[], outOfMemory: boolean) {
  if (outOfMemory) return discardModule(module);
  try {
    for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
    vm.dispose();
    runtime.dispose();
  } catch {
    discardModule(module);
  }
}

export interface CodeSyntaxError {
  message: string;
  /** 1-based, in the body as written. */
  line?: number;
}

/**
 * Why the body does not parse, compiled (never run) in a throwaway VM. Undefined when it parses,
 * and when the sandbox is not loaded yet (the run reports it then).
 */
export function codeSyntaxError(code: string): CodeSyntaxError | undefined {
  const module = anyLoaded();
  if (!module) return undefined;
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(64 * 1024 * 1024);
  const deadline = Date.now() + 1_000;
  runtime.setInterruptHandler(() => Date.now() > deadline);
  const vm = runtime.newContext();
  const handles: QuickJSHandle[] = [];
  let problem: CodeSyntaxError | undefined;
  let outOfMemory = false;
  try {
    const compiled = vm.evalCode(wrap(code), FILENAME, { type: 'global', compileOnly: true });
    handles.push(compiled.error ?? compiled.value);
    if (compiled.error) {
      const error = readError(vm, compiled.error);
      outOfMemory = /out of memory/i.test(error.message);
      problem = { message: error.message, ...(error.line === undefined ? {} : { line: error.line }) };
    }
  } finally {
    release(module, vm, runtime, handles, outOfMemory);
  }
  return problem;
}

interface VmError {
  name: string;
  message: string;
  /** The line in the body as written, when the error says where. */
  line?: number;
  /** Neither its name nor its message could be read. */
  unreadable?: boolean;
}

/** Reads a thrown VM value field by field, each copied only when it is a short string. */
function readError(vm: QuickJSContext, handle: QuickJSHandle): VmError {
  const text = (key: string): string | undefined => {
    try {
      const h = vm.getProp(handle, key);
      try {
        if (vm.typeof(h) !== 'string') return undefined;
        const s = vm.getString(h);
        return s.length > 500 ? `${s.slice(0, 500)}…` : s;
      } finally {
        h.dispose();
      }
    } catch {
      return undefined;
    }
  };
  const kind = vm.typeof(handle);
  if (kind !== 'object') {
    const shown = kind === 'string' ? JSON.stringify(vm.getString(handle).slice(0, 500)) : kind === 'number' ? String(vm.getNumber(handle)) : `a ${kind}`;
    return { name: 'a value', message: shown };
  }
  const stack = text('stack') ?? '';
  const frame = /code\.js:(\d+)/.exec(stack);
  const vmLine = frame ? Number(frame[1]) : undefined;
  const line = vmLine !== undefined ? Math.max(1, vmLine - WRAPPER_LINES_BEFORE) : undefined;
  const name = text('name');
  const message = text('message');
  return {
    name: name ?? 'Error',
    message: message ?? 'an error without a message',
    ...(line === undefined ? {} : { line }),
    ...(name === undefined && message === undefined ? { unreadable: true } : {}),
  };
}

const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const at = (line: number | undefined) => (line === undefined ? '' : ` (line ${line})`);
const isLevel = (level: string): level is ConsoleLine['level'] => ['log', 'info', 'warn', 'error'].includes(level);
const aborted = () => new TrellisError('code_aborted', 'the code was stopped: the step was cancelled or timed out');
const tooLarge = (max: number) => new TrellisError('code_output_too_large', `the code returned more than ${max} bytes of JSON; return less, or raise maxOutputBytes`);

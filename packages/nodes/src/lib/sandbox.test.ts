/**
 * The code sandbox: JSON in and out, console captured, and every escape attempt bounded with a
 * clear error while the host process (its globals, its prototypes, its next call) stays unharmed.
 */
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../errors.js';
import { codeSyntaxError, loadSandbox, runCode, type RunCodeOptions } from './sandbox.js';

const MB = 1024 * 1024;
const run = (code: string, args: unknown = {}, overrides: Partial<RunCodeOptions> = {}) =>
  runCode({ code, args, timeoutMs: 1_000, memoryBytes: 32 * MB, maxOutputBytes: 1_000_000, ...overrides });

/** Runs code expected to fail; returns the TrellisError and how long it took. */
async function fails(code: string, args: unknown = {}, overrides: Partial<RunCodeOptions> = {}) {
  const started = Date.now();
  try {
    const r = await run(code, args, overrides);
    throw new Error(`expected the code to fail, it returned ${JSON.stringify(r.result)?.slice(0, 200)}`);
  } catch (error) {
    if (!TrellisError.isInstance(error)) throw error;
    expect(error.message).not.toMatch(/\n\s+at /); // no host stack trace in the message
    return Object.assign(error, { ms: Date.now() - started });
  }
}

/** The process is unharmed: another call right after works. */
const stillWorks = async () => expect((await run('return args.n * 2', { n: 21 })).result).toBe(42);

describe('sandbox: running code', () => {
  it('reads args, returns JSON, and captures console output', async () => {
    const r = await run(
      `console.log('items', args.items.length, { first: args.items[0] });
       console.warn('careful');
       console.error(new Error('x').message);
       return { total: args.items.reduce((s, i) => s + i.price, 0), names: args.items.map((i) => i.name) };`,
      { items: [{ name: 'a', price: 2 }, { name: 'b', price: 3.5 }] },
    );
    expect(r.result).toEqual({ total: 5.5, names: ['a', 'b'] });
    expect(r.console).toEqual([
      { level: 'log', text: 'items 2 {"first":{"name":"a","price":2}}' },
      { level: 'warn', text: 'careful' },
      { level: 'error', text: 'x' },
    ]);
  });

  it('supports async bodies', async () => {
    const r = await run('const v = await Promise.resolve(args.x); await null; return v + 1;', { x: 1 });
    expect(r.result).toBe(2);
  });

  it('bounds the console: line count and line length', async () => {
    const r = await run("for (let i = 0; i < 1000; i++) console.log('y'.repeat(10000)); return 1");
    expect(r.console.length).toBe(201);
    expect(r.console[0]!.text.length).toBeLessThanOrEqual(2_001);
    expect(r.console.at(-1)).toEqual({ level: 'warn', text: '… 800 more console lines were dropped' });
  });

  it('a thrown error names its message and line', async () => {
    const e = await fails("const a = 1;\nif (a) throw new TypeError('no account ' + args.id);\nreturn a", { id: 7 });
    expect(e.code).toBe('code_error');
    expect(e.message).toBe('the code threw TypeError: no account 7 (line 2)');
  });

  it('a syntax error names the line', async () => {
    const e = await fails('const a = 1;\nreturn a +;\n');
    expect(e.code).toBe('code_syntax');
    expect(e.message).toMatch(/^the code does not parse: .+ \(line 2\)$/);
    await loadSandbox();
    expect(codeSyntaxError('const a = 1;\nreturn a +;\n')).toMatchObject({ line: 2 });
    expect(codeSyntaxError('return await args.x')).toBeUndefined();
  });

  it('a returned function, undefined, a cycle or a BigInt is refused as not JSON', async () => {
    for (const [code, why] of [
      ['return () => 1', /returned a function/],
      ['const x = 1', /returned undefined/],
      ['const a = {}; a.self = a; return a', /cannot hold/],
      ['return 10n', /returned a bigint/],
    ] as const) {
      const e = await fails(code);
      expect(e.code).toBe('code_not_json');
      expect(e.message).toMatch(why);
    }
  });
});

describe('sandbox: escape attempts', () => {
  it('the constructor chain reaches only the VM global', async () => {
    const r = await run(`
      const G = this.constructor.constructor('return globalThis')();
      const F = Function('return globalThis')();
      const viaProto = ({}).constructor.constructor('return this')();
      return [G, F, viaProto].map((g) => ({
        process: typeof g.process, require: typeof g.require, fetch: typeof g.fetch, setTimeout: typeof g.setTimeout,
        module: typeof g.module, Buffer: typeof g.Buffer, WebAssembly: typeof g.WebAssembly, importScripts: typeof g.importScripts,
      }));`);
    for (const seen of r.result as Record<string, string>[]) {
      expect(Object.values(seen).every((t) => t === 'undefined'), JSON.stringify(seen)).toBe(true);
    }
    const e = await fails("return this.constructor.constructor('return process')().env");
    expect(e.code).toBe('code_error');
    expect(e.message).toMatch(/'process' is not defined/);
  });

  it('no modules, no dynamic import', async () => {
    const e = await fails("const fs = await import('fs'); return fs.readFileSync('/etc/passwd', 'utf8')");
    expect(e.code).toBe('code_error');
    expect((await fails("return require('fs')")).message).toMatch(/'require' is not defined/);
  });

  it('prototype pollution inside the VM does not reach the host, nor the next call', async () => {
    await run(`
      Object.prototype.polluted = 'yes'; Array.prototype.map = null; JSON.stringify = () => '"hacked"';
      args.__proto__.polluted2 = 'yes';
      return { ok: true };`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    expect(typeof [].map).toBe('function');
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
    const next = await run("return { fresh: ({}).polluted === undefined, map: typeof [].map }");
    expect(next.result).toEqual({ fresh: true, map: 'function' });
  });

  it('a returned object with __proto__ keys stays plain data on the host', async () => {
    const r = await run('return JSON.parse(\'{"__proto__": {"isAdmin": true}}\')');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(r.result)).toBe(Object.prototype);
  });

  it('an endless loop stops at the time limit, and the next call works', async () => {
    const e = await fails('while (true) {}', {}, { timeoutMs: 200 });
    expect(e.code).toBe('code_timeout');
    expect(e.message).toBe('the code ran longer than 200 ms and was stopped');
    expect(e.ms).toBeLessThan(1_500);
    await stillWorks();
  });

  it('catching the interrupt does not keep the loop alive', async () => {
    const e = await fails('for (;;) { try { while (true) {} } catch (err) {} }', {}, { timeoutMs: 200 });
    expect(e.code).toBe('code_timeout');
    await stillWorks();
  });

  it('an endless async loop stops at the time limit', async () => {
    const e = await fails('for (;;) await null', {}, { timeoutMs: 200 });
    expect(e.code).toBe('code_timeout');
    await stillWorks();
  });

  it('a memory bomb stops at the memory limit, and the next call works', async () => {
    const e = await fails("let a = []; for (;;) a.push('x'.repeat(1e6))", {}, { timeoutMs: 5_000 });
    expect(e.code).toBe('code_memory');
    expect(e.message).toBe('the code used more than 32 MB of memory and was stopped');
    await stillWorks();
  });

  it('many small allocations count towards the limit too', async () => {
    // QuickJS's own accounting undercounts a heap of small blocks; the module's capped memory does not.
    for (const bomb of ['let a = []; for (;;) a.push({ i: a.length, s: "abc" + a.length })', 'let a = []; for (;;) a.push(new Array(1e5).fill(a.length))']) {
      const e = await fails(bomb, {}, { timeoutMs: 10_000 });
      expect(e.code).toBe('code_memory');
      expect(e.ms).toBeLessThan(5_000);
    }
    await stillWorks();
  });

  it('arguments too large for the memory limit are refused before the VM starts', async () => {
    const e = await fails('return args.s.length', { s: 'x'.repeat(20 * MB) });
    expect(e.code).toBe('code_memory');
    expect(e.message).toBe("the arguments (20 MB of JSON) do not fit in the code's 32 MB of memory; pass less, or raise memoryMb");
  });

  it('deep recursion stops cleanly', async () => {
    const e = await fails('function f(n) { return f(n + 1) + 1 }\nreturn f(0)');
    expect(e.code).toBe('code_error');
    expect(e.message).toMatch(/recursed too deeply/);
    await stillWorks();
  });

  it('a 100 MB result stops at the output cap', async () => {
    const e = await fails("return 'x'.repeat(100 * 1024 * 1024)", {}, { memoryBytes: 256 * MB, timeoutMs: 5_000 });
    expect(e.code).toBe('code_output_too_large');
    expect(e.message).toMatch(/more than 1000000 bytes/);
    await stillWorks();
  });

  it('an abort stops a running async loop', async () => {
    const aborter = new AbortController();
    setTimeout(() => aborter.abort(), 50);
    const e = await fails('let i = 0; for (;;) { await null; i++ }', {}, { timeoutMs: 10_000, signal: aborter.signal });
    expect(e.code).toBe('code_aborted');
    expect(e.ms).toBeLessThan(2_000);
  });

  it('concurrent runs take turns and each gets its own result', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => run('let s = 0; for (let i = 0; i < 100; i++) { await null; s += args.n } return s', { n })));
    expect(results.map((r) => r.result)).toEqual([100, 200, 300]);
  });

  it('an aborted signal stops the code before it starts', async () => {
    const aborter = new AbortController();
    aborter.abort();
    expect((await fails('while (true) {}', {}, { signal: aborter.signal })).code).toBe('code_aborted');
  });

  it('a promise that never settles is reported, not awaited forever', async () => {
    const e = await fails('await new Promise(() => {})');
    expect(e.code).toBe('code_error');
    expect(e.message).toMatch(/never finished/);
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tests and evaluations as a team runs them: `trellis test examples` (every bundled case, offline)
 * and `trellis eval` of a 1,000-row dataset through the test provider at concurrency 8, each a
 * real process timed from start to exit, with its peak RSS (VmHWM, read from /proc while it runs).
 * Aims on 2 cores: the tests under 5 s wall (most of it start-up), the experiment under 30 s at
 * under 300 MB. BENCH_EVAL_ROWS (default 1000), BENCH_REPEATS (default 3: the best and median).
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'apps/runner/bin/trellis.mjs');
const ROWS = Number(process.env.BENCH_EVAL_ROWS ?? 1000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

/** A command's wall time and peak RSS. */
function measure(args: string[]): Promise<{ ms: number; peakMb: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let peakKb = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // gone already: the last reading stands
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ ms: performance.now() - began, peakMb: peakKb / 1024, code, stderr });
    });
  });
}

async function repeat(label: string, args: string[], aim: { ms: number; mb?: number }): Promise<void> {
  const runs = [];
  for (let i = 0; i < REPEATS; i++) {
    const result = await measure(args);
    if (result.code !== 0) throw new Error(`${label}: trellis ${args.join(' ')} exited ${result.code}: ${result.stderr.slice(0, 500)}`);
    runs.push(result);
  }
  runs.sort((a, b) => a.ms - b.ms);
  const median = runs[Math.floor(runs.length / 2)]!;
  const peak = Math.max(...runs.map((r) => r.peakMb));
  process.stdout.write(
    `  ${label.padEnd(44)} wall best ${(runs[0]!.ms / 1000).toFixed(2)} s, median ${(median.ms / 1000).toFixed(2)} s (aim < ${aim.ms / 1000} s); peak RSS ${peak.toFixed(0)} MB${aim.mb ? ` (aim < ${aim.mb} MB)` : ''}\n`,
  );
}

export async function benchEvals(): Promise<void> {
  process.stdout.write(`evals: trellis test and trellis eval as processes, node ${process.version}, ${REPEATS} runs each\n`);
  // Compiled once before the clock starts: a first run after an edit would time the build.
  await measure(['--version']);
  await repeat('trellis test examples (16 cases)', ['test', 'examples'], { ms: 5000 });

  const flow = JSON.parse(readFileSync(join(ROOT, 'examples/support-triage.flow.json'), 'utf8')) as { samples: { name: string; input: unknown; mocks?: unknown }[] };
  const samples = flow.samples.filter((s) => s.name !== 'refund-over-limit');
  const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-evals-'));
  try {
    const dataset = join(dir, 'rows.jsonl');
    const lines = Array.from({ length: ROWS }, (_, i) => {
      const s = samples[i % samples.length]!;
      return JSON.stringify({ input: s.input, mocks: s.mocks, expected: { customerId: (s.input as { customerId?: string }).customerId } });
    });
    writeFileSync(dataset, `${lines.join('\n')}\n`);
    await repeat(`trellis eval, ${ROWS} rows, concurrency 8`, ['eval', 'examples/support-triage.flow.json', '--dataset', dataset, '--concurrency', '8', '--json', '--output', join(dir, 'out.json')], { ms: 30_000, mb: 300 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

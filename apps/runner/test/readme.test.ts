import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';
import { EXIT } from '../src/cli/main.js';

// The READMEs' commands, checked where it is cheap: what a newcomer copies must work as written.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = ['README.md', 'examples/README.md'];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const rootScripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
/** The lines of the documents' shell blocks, with the file they are in. */
const shellLines = DOCS.flatMap((doc) => [...read(doc).matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter(Boolean).map((line) => ({ doc, line }))));

describe('the READMEs', () => {
  it('use only commands a machine with Node and npm has: npm scripts that exist, no bare pnpm', () => {
    for (const { doc, line } of shellLines) {
      expect(line, `${doc}: ${line}`).not.toMatch(/^pnpm\s/);
      const script = /^npm run (?:-s )?([\w:-]+)/.exec(line)?.[1];
      if (script) expect(rootScripts, `${doc}: ${line}`).toContain(script);
    }
    for (const doc of DOCS) expect(read(doc), doc).not.toMatch(/`pnpm [a-z]/);
  });

  it('run only samples the bundled examples have', () => {
    const runs = shellLines.filter(({ line }) => line.includes('--sample '));
    expect(runs.length).toBeGreaterThan(5);
    for (const { doc, line } of runs) {
      const file = /(examples\/[\w-]+\.flow\.json)/.exec(line)?.[1];
      const sample = /--sample ([\w-]+)/.exec(line)?.[1];
      expect(file, `${doc}: ${line}`).toBeDefined();
      const flow = JSON.parse(read(file!)) as { samples?: Array<{ name: string }> };
      expect(flow.samples?.map((s) => s.name), `${doc}: ${line}`).toContain(sample);
    }
    const demo = /--sample ([\w-]+)/.exec(JSON.parse(read('package.json')).scripts['trellis:demo'] as string)?.[1];
    expect((JSON.parse(read('examples/support-triage.flow.json')) as { samples: Array<{ name: string }> }).samples.map((s) => s.name)).toContain(demo);
  });

  it('link only to files and headings inside the repository', () => {
    for (const doc of DOCS) {
      const text = read(doc);
      const headings = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-')));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target!)) continue;
        const [path, anchor] = target!.split('#');
        if (path) {
          const full = resolve(ROOT, dirname(doc), path);
          expect(full.startsWith(ROOT + '/'), `${doc}: ${target} leaves the repository`).toBe(true);
          expect(existsSync(full), `${doc}: ${target} does not exist`).toBe(true);
        } else expect(headings, `${doc}: #${anchor}`).toContain(anchor);
      }
    }
  });

  it('document the exit codes the CLI uses', () => {
    const text = read('README.md');
    const documented = /Exit codes: ([^.]+)\./.exec(text)?.[1] ?? '';
    for (const code of Object.values(EXIT)) expect(documented, `exit code ${code}`).toMatch(new RegExp(`\\b${code} `));
  });

  it('`trellis --version` and `-v` print the runner package version and exit 0', async () => {
    const { version } = JSON.parse(read('apps/runner/package.json')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = await trellis([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
    const help = await trellis(['--help']);
    expect(help.stdout).toContain('--version');
  }, 60_000);
});

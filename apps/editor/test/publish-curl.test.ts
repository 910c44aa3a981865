import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildCurl, docsUrl, endpointUrl, runnerBase, shellQuote } from '../src/publish/curl.js';

/** The words a POSIX shell hands to curl for `command`: what a person pasting it into a terminal would send. */
function wordsCurlGets(command: string, env: Record<string, string> = {}): string[] {
  const script = `curl() { printf '%s\\0' "$@"; }\n${command}`;
  const out = execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.toString('utf8').split('\0').slice(0, -1);
}

/** The value after each `flag` in curl's words. */
const after = (words: string[], flag: string) => words.flatMap((w, i) => (w === flag ? [words[i + 1]] : []));

describe('the curl command the Publish panel shows', () => {
  it('quotes any text as one literal shell word, single quotes included', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const nasty = `it's "quoted" $HOME \`id\` \\ ; rm -rf / # \n new line ''`;
    expect(wordsCurlGets(`curl ${shellQuote(nasty)}`)).toEqual([nasty]);
  });

  it('sends the URL, the fresh key and the sample body exactly, however the body is written', () => {
    const body = { message: "I can't log in; it says \"$5 due\" & `whoami`", customerId: 'cus_1077' };
    const command = buildCurl({ base: 'http://127.0.0.1:8787', slug: 'support-triage', key: 'trl_abc-123_XY', body });
    const words = wordsCurlGets(command);
    expect(words.slice(0, 3)).toEqual(['-X', 'POST', 'http://127.0.0.1:8787/v1/flows/support-triage']);
    expect(after(words, '-H')).toEqual(['Authorization: Bearer trl_abc-123_XY', 'Content-Type: application/json']);
    expect(JSON.parse(after(words, '-d')[0]!)).toEqual(body);
  });

  it('reads the key from $TRELLIS_API_KEY when no fresh key is on show', () => {
    const command = buildCurl({ base: 'https://trellis.example', slug: 'triage', body: {} });
    expect(command).toContain('"Authorization: Bearer $TRELLIS_API_KEY"');
    const words = wordsCurlGets(command, { TRELLIS_API_KEY: 'trl_from_env' });
    expect(after(words, '-H')[0]).toBe('Authorization: Bearer trl_from_env');
    expect(after(words, '-d')).toEqual(['{}']);
  });

  it('asks for the async answer with ?mode=async, and for the event stream with Accept and no buffering', () => {
    const asyncWords = wordsCurlGets(buildCurl({ base: 'http://h', slug: 'triage', key: 'k', body: { a: 1 }, mode: 'async' }));
    expect(asyncWords).toContain('http://h/v1/flows/triage?mode=async');

    const sseWords = wordsCurlGets(buildCurl({ base: 'http://h', slug: 'triage', key: 'k', body: { a: 1 }, mode: 'sse' }));
    expect(sseWords[0]).toBe('-N');
    expect(sseWords).toContain('http://h/v1/flows/triage');
    expect(after(sseWords, '-H')).toContain('Accept: text/event-stream');
  });

  it("builds addresses from the page's origin, or from the API client's base URL when it has one", () => {
    expect(runnerBase('', 'http://localhost:8787/#/flows/x')).toBe('http://localhost:8787');
    expect(runnerBase('http://runner.internal:3000', 'http://localhost:5173/')).toBe('http://runner.internal:3000');
    expect(runnerBase('/trellis', 'https://tools.example/trellis/#/flows/x')).toBe('https://tools.example/trellis');
    expect(endpointUrl('http://h', 'triage')).toBe('http://h/v1/flows/triage');
    expect(docsUrl('http://h', 'triage')).toBe('http://h/docs#tag/published-flows/POST/v1/flows/triage');
  });
});

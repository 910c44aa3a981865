import { execFileSync } from 'node:child_process';

/** The words a POSIX shell hands to curl for the command as shown: what a person pasting it would send. */
export function wordsCurlGets(command: string): string[] {
  const script = `curl() { printf '%s\\0' "$@"; }\n${command}`;
  const out = execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.toString('utf8').split('\0').slice(0, -1);
}

export interface CurlRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** The request the shown curl command makes, ready for Node's fetch. */
export function requestOf(command: string): CurlRequest {
  const words = wordsCurlGets(command);
  const after = (flag: string) => words.flatMap((w, i) => (w === flag ? [words[i + 1]!] : []));
  const url = words.find((w) => /^https?:\/\//.test(w));
  if (!url) throw new Error(`no URL in the curl command: ${command}`);
  const headers = Object.fromEntries(after('-H').map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]));
  return { url, method: after('-X')[0] ?? 'GET', headers, body: after('-d')[0] ?? '' };
}

/** Sends the request, leaving out the named headers (e.g. to call without the key). */
export async function callCurl(request: CurlRequest, drop: string[] = []): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !drop.includes(name)));
  const response = await fetch(request.url, { method: request.method, headers, body: request.body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

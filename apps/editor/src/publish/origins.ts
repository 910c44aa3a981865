/**
 * The origins typed, as the runner wants them: "*" or URLs, each reduced to its origin
 * (a browser's Origin header has no path or trailing slash, and must match exactly).
 */
export function parseOrigins(text: string): { origins: string[]; problem?: string } {
  const origins: string[] = [];
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    if (word === '*') {
      origins.push(word);
      continue;
    }
    let url: URL;
    try {
      url = new URL(word);
    } catch {
      return { origins, problem: `"${word}" is not an origin: write it as https://app.example.com, or * for any.` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { origins, problem: `"${word}" is not a web origin: use http:// or https://.` };
    origins.push(url.origin);
  }
  return { origins: [...new Set(origins)] };
}

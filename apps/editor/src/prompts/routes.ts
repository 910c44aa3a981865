/** The editor's pages and their addresses (the URL's hash), so a page can be linked and reloaded. */

export type Route = { page: 'flows' } | { page: 'flow'; id: string } | { page: 'prompts' } | { page: 'prompt'; name: string };

/** The page a hash names; anything else is the flow list. */
export function routeFromHash(hash: string): Route {
  const flow = /^#\/flows\/(.+)$/.exec(hash);
  if (flow) return { page: 'flow', id: decodeURIComponent(flow[1]!) };
  const prompt = /^#\/prompts\/(.+)$/.exec(hash);
  if (prompt) return { page: 'prompt', name: decodeURIComponent(prompt[1]!) };
  if (/^#\/prompts\/?$/.test(hash)) return { page: 'prompts' };
  return { page: 'flows' };
}

/** The hash of a page; the flow list has none (the app's bare address). */
export function hashOfRoute(route: Route): string {
  switch (route.page) {
    case 'flow':
      return `#/flows/${encodeURIComponent(route.id)}`;
    case 'prompt':
      return `#/prompts/${encodeURIComponent(route.name)}`;
    case 'prompts':
      return '#/prompts';
    case 'flows':
      return '';
  }
}

export const sameRoute = (a: Route, b: Route) => hashOfRoute(a) === hashOfRoute(b);

/** The editor's pages and their addresses (the URL's hash), so a page can be linked and reloaded. */

export type Route =
  | { page: 'flows' }
  | { page: 'flow'; id: string }
  | { page: 'prompts' }
  | { page: 'prompt'; name: string }
  /** The runs across flows; `query` keeps the filters (`flow=…&status=…`) so a filtered list can be linked. */
  | { page: 'runs'; query?: string }
  | { page: 'run'; id: string }
  | { page: 'inbox' }
  | { page: 'keys' }
  | { page: 'settings' };

/** The pages of the app's navigation, in its order. */
export type Section = 'flows' | 'runs' | 'inbox' | 'prompts' | 'keys' | 'settings';

/** The page a hash names; anything else is the flow list. */
export function routeFromHash(hash: string): Route {
  const flow = /^#\/flows\/(.+)$/.exec(hash);
  if (flow) return { page: 'flow', id: decodeURIComponent(flow[1]!) };
  const prompt = /^#\/prompts\/(.+)$/.exec(hash);
  if (prompt) return { page: 'prompt', name: decodeURIComponent(prompt[1]!) };
  if (/^#\/prompts\/?$/.test(hash)) return { page: 'prompts' };
  const run = /^#\/runs\/([^?]+)$/.exec(hash);
  if (run) return { page: 'run', id: decodeURIComponent(run[1]!) };
  const runs = /^#\/runs\/?(?:\?(.*))?$/.exec(hash);
  if (runs) return runs[1] ? { page: 'runs', query: runs[1] } : { page: 'runs' };
  if (/^#\/inbox\/?$/.test(hash)) return { page: 'inbox' };
  if (/^#\/keys\/?$/.test(hash)) return { page: 'keys' };
  if (/^#\/settings\/?$/.test(hash)) return { page: 'settings' };
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
    case 'runs':
      return route.query ? `#/runs?${route.query}` : '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'inbox':
    case 'keys':
    case 'settings':
      return `#/${route.page}`;
    case 'flows':
      return '';
  }
}

/** The section of the navigation a page belongs to (a flow is under Flows, a run under Runs). */
export function sectionOf(route: Route): Section {
  switch (route.page) {
    case 'flow':
      return 'flows';
    case 'prompt':
      return 'prompts';
    case 'run':
      return 'runs';
    default:
      return route.page;
  }
}

export const sameRoute = (a: Route, b: Route) => hashOfRoute(a) === hashOfRoute(b);

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
  | { page: 'settings' }
  | { page: 'datasets' }
  | { page: 'dataset'; id: string }
  /** The experiments; `query` may filter to a dataset (`dataset=…`) and open the new experiment form on it (`new=1`). */
  | { page: 'experiments'; query?: string }
  | { page: 'experiment'; id: string }
  /** Two experiments on the same dataset side by side. */
  | { page: 'compare'; base: string; candidate: string };

/** The pages of the app's navigation, in its order. */
export type Section = 'flows' | 'runs' | 'inbox' | 'prompts' | 'datasets' | 'experiments' | 'keys' | 'settings';

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
  const compare = /^#\/experiments\/compare\/?\?(.*)$/.exec(hash);
  if (compare) {
    const params = new URLSearchParams(compare[1]);
    return { page: 'compare', base: params.get('base') ?? '', candidate: params.get('candidate') ?? '' };
  }
  const experiment = /^#\/experiments\/([^?/]+)$/.exec(hash);
  if (experiment) return { page: 'experiment', id: decodeURIComponent(experiment[1]!) };
  const experiments = /^#\/experiments\/?(?:\?(.*))?$/.exec(hash);
  if (experiments) return experiments[1] ? { page: 'experiments', query: experiments[1] } : { page: 'experiments' };
  const dataset = /^#\/datasets\/([^?/]+)$/.exec(hash);
  if (dataset) return { page: 'dataset', id: decodeURIComponent(dataset[1]!) };
  if (/^#\/datasets\/?$/.test(hash)) return { page: 'datasets' };
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
    case 'dataset':
      return `#/datasets/${encodeURIComponent(route.id)}`;
    case 'experiment':
      return `#/experiments/${encodeURIComponent(route.id)}`;
    case 'compare':
      return `#/experiments/compare?${new URLSearchParams({ base: route.base, candidate: route.candidate }).toString()}`;
    case 'experiments':
      return route.query ? `#/experiments?${route.query}` : '#/experiments';
    case 'inbox':
    case 'datasets':
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
    case 'dataset':
      return 'datasets';
    case 'experiment':
    case 'compare':
      return 'experiments';
    default:
      return route.page;
  }
}

export const sameRoute = (a: Route, b: Route) => hashOfRoute(a) === hashOfRoute(b);

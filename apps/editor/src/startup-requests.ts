import { apiPaths } from './api-paths';
import { prefetch } from './api-prefetch';
import { routeFromHash, type Route } from './routes';
import { apiQuery, filtersFromQuery, RUNS_PAGE } from './runs/filters';

/** What the page a route opens asks the runner for first (the same paths its requests use). */
export function startupRequests(route: Route): string[] {
  switch (route.page) {
    case 'flows':
      return [apiPaths.flows(), apiPaths.published()];
    case 'flow':
      return [apiPaths.flow(route.id)];
    case 'runs':
      return [apiPaths.runs({ ...apiQuery(filtersFromQuery(route.query)), limit: RUNS_PAGE }), apiPaths.flows(), apiPaths.published()];
    default:
      return [];
  }
}

// index.html loads this module on its own, async: the requests go out while the app's scripts load.
if (typeof window !== 'undefined') for (const path of startupRequests(routeFromHash(window.location.hash))) prefetch(path);

import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { Page, PageHeader } from '../ui/Page';

/** Runs (being built in this session's branch). */
export function RunsPage(props: { api: ApiClient; query?: string; go: (route: Route) => void }) {
  void props;
  return (
    <Page>
      <PageHeader title="Runs" />
    </Page>
  );
}
